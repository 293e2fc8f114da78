package pb_test

import (
	"encoding/hex"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/pb/authpb"
	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/keeper/pb/recordspb"
	"github.com/keeper-go/keeper/internal/keeper/pb/vaultpb"
)

// The messages of create-user: records_add/records_update (Records),
// sync_down records and folders (Vault), external_share_add
// (Authentication) and enterprise_user_provision (Enterprise). Numbers and
// wire types follow Commander's record_pb2.py, SyncDown_pb2.py,
// APIRequest_pb2.py and enterprise_pb2.py.

func TestRecordsWriteFieldNumbers(t *testing.T) {
	b := []byte{1}
	expect(t, "RecordAdd", fields(t, &recordspb.RecordAdd{RecordUid: b, RecordKey: b, ClientModifiedTime: 1, Data: b,
		NonSharedData: b, FolderType: recordspb.RecordFolderType_shared_folder_folder, FolderUid: b, FolderKey: b,
		RecordLinks: []*recordspb.RecordLink{{RecordUid: b, RecordKey: b}}, Audit: &recordspb.RecordAudit{Version: 1, Data: b},
		SecurityData: &recordspb.SecurityData{Data: b}, SecurityScoreData: &recordspb.SecurityScoreData{Data: b}}),
		map[protowire.Number]protowire.Type{1: bytesT, 2: bytesT, 3: varintT, 4: bytesT, 5: bytesT, 6: varintT, 7: bytesT,
			8: bytesT, 9: bytesT, 10: bytesT, 11: bytesT, 12: bytesT})
	expect(t, "RecordsAddRequest", fields(t, &recordspb.RecordsAddRequest{Records: []*recordspb.RecordAdd{{}}, ClientTime: 1,
		SecurityDataKeyType: recordspb.RecordKeyType_ENCRYPTED_BY_PUBLIC_KEY}),
		map[protowire.Number]protowire.Type{1: bytesT, 2: varintT, 3: varintT})
	expect(t, "RecordUpdate", fields(t, &recordspb.RecordUpdate{RecordUid: b, ClientModifiedTime: 1, Revision: 1, Data: b,
		NonSharedData: b, RecordLinksAdd: []*recordspb.RecordLink{{}}, RecordLinksRemove: [][]byte{b},
		Audit: &recordspb.RecordAudit{}, SecurityData: &recordspb.SecurityData{}, SecurityScoreData: &recordspb.SecurityScoreData{}}),
		map[protowire.Number]protowire.Type{1: bytesT, 2: varintT, 3: varintT, 4: bytesT, 5: bytesT, 6: bytesT, 7: bytesT,
			8: bytesT, 9: bytesT, 10: bytesT})
	expect(t, "RecordsUpdateRequest", fields(t, &recordspb.RecordsUpdateRequest{Records: []*recordspb.RecordUpdate{{}},
		ClientTime: 1, SecurityDataKeyType: 4}), map[protowire.Number]protowire.Type{1: bytesT, 2: varintT, 3: varintT})
	expect(t, "RecordModifyStatus", fields(t, &recordspb.RecordModifyStatus{RecordUid: b, Status: 4, Message: "m",
		LinkErrors: []*recordspb.RecordLinkError{{RecordUid: b, Status: 1, Message: "m"}}}),
		map[protowire.Number]protowire.Type{1: bytesT, 2: varintT, 3: bytesT, 4: bytesT})
	expect(t, "RecordLinkError", fields(t, &recordspb.RecordLinkError{RecordUid: b, Status: 1, Message: "m"}),
		map[protowire.Number]protowire.Type{1: bytesT, 2: varintT, 3: bytesT})
	expect(t, "RecordAudit", fields(t, &recordspb.RecordAudit{Version: 1, Data: b}),
		map[protowire.Number]protowire.Type{1: varintT, 2: bytesT})
	if recordspb.RecordKeyType_ENCRYPTED_BY_DATA_KEY_GCM != 3 || recordspb.RecordKeyType_ENCRYPTED_BY_PUBLIC_KEY_ECC != 4 ||
		recordspb.RecordKeyType_ENCRYPTED_BY_ROOT_KEY_GCM != 6 {
		t.Error("RecordKeyType values differ from Keeper's")
	}
	if recordspb.RecordModifyResult_RS_RECORD_EXISTS != 4 || recordspb.RecordModifyResult_RS_ONLY_OWNER_CAN_MODIFY_SCRIPTS != 12 {
		t.Error("RecordModifyResult values differ from Keeper's")
	}
	if recordspb.RecordFolderType_shared_folder_folder != 2 {
		t.Error("RecordFolderType values differ from Keeper's")
	}
}

// TestRecordsModifyResponseVector: {records: [{uid, RS_SUCCESS}], revision:
// 101} on the wire; a zero status is omitted, as proto3 requires.
func TestRecordsModifyResponseVector(t *testing.T) {
	uid, _ := hex.DecodeString("3f1a9c0e5b7d2a4c8e6f0b1d3c5a7e90")
	b, err := proto.Marshal(&recordspb.RecordsModifyResponse{Records: []*recordspb.RecordModifyStatus{{RecordUid: uid}}, Revision: 101})
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(b); got != "0a120a103f1a9c0e5b7d2a4c8e6f0b1d3c5a7e901065" {
		t.Fatalf("wire bytes %s", got)
	}
}

func TestVaultRecordFieldNumbers(t *testing.T) {
	b := []byte{1}
	expect(t, "SyncDownResponse (records)", fields(t, &vaultpb.SyncDownResponse{
		UserFolders: []*vaultpb.UserFolder{{}}, SharedFolders: []*vaultpb.SharedFolder{{}},
		UserFolderSharedFolders: []*vaultpb.UserFolderSharedFolder{{}}, SharedFolderFolders: []*vaultpb.SharedFolderFolder{{}},
		Records: []*vaultpb.Record{{}}, RecordMetaData: []*vaultpb.RecordMetaData{{}},
		UserFolderRecords: []*vaultpb.UserFolderRecord{{}}, SharedFolderRecords: []*vaultpb.SharedFolderRecord{{}},
		SharedFolderFolderRecords: []*vaultpb.SharedFolderFolderRecord{{}}, RemovedUserFolders: [][]byte{b},
		RemovedSharedFolders: [][]byte{b}, RemovedUserFolderSharedFolders: []*vaultpb.UserFolderSharedFolder{{}},
		RemovedSharedFolderFolders: []*vaultpb.SharedFolderFolder{{}}, RemovedRecords: [][]byte{b},
		RemovedUserFolderRecords: []*vaultpb.UserFolderRecord{{}}, RemovedSharedFolderRecords: []*vaultpb.SharedFolderRecord{{}},
		RemovedSharedFolderFolderRecords: []*vaultpb.SharedFolderFolderRecord{{}},
	}), map[protowire.Number]protowire.Type{4: bytesT, 5: bytesT, 6: bytesT, 7: bytesT, 8: bytesT, 9: bytesT, 12: bytesT,
		13: bytesT, 14: bytesT, 27: bytesT, 28: bytesT, 29: bytesT, 30: bytesT, 31: bytesT, 33: bytesT, 34: bytesT, 35: bytesT})
	expect(t, "Record", fields(t, &vaultpb.Record{RecordUid: b, Revision: 1, Version: 3, Shared: true, ClientModifiedTime: 1,
		Data: b, Extra: b, Udata: "{}", FileSize: 1, ThumbnailSize: 1}),
		map[protowire.Number]protowire.Type{1: bytesT, 2: varintT, 3: varintT, 4: varintT, 5: varintT, 6: bytesT, 7: bytesT,
			8: bytesT, 9: varintT, 10: varintT})
	expect(t, "RecordMetaData", fields(t, &vaultpb.RecordMetaData{RecordUid: b, Owner: true, RecordKey: b, RecordKeyType: 3,
		CanShare: true, CanEdit: true, OwnerAccountUid: b, Expiration: 1, ExpirationNotificationType: 1, OwnerUsername: "u"}),
		map[protowire.Number]protowire.Type{1: bytesT, 2: varintT, 3: bytesT, 4: varintT, 5: varintT, 6: varintT, 7: bytesT,
			8: varintT, 9: varintT, 10: bytesT})
	expect(t, "UserFolder", fields(t, &vaultpb.UserFolder{FolderUid: b, ParentUid: b, UserFolderKey: b, KeyType: 1, Revision: 1, Data: b}),
		map[protowire.Number]protowire.Type{1: bytesT, 2: bytesT, 3: bytesT, 4: varintT, 5: varintT, 6: bytesT})
	expect(t, "SharedFolder", fields(t, &vaultpb.SharedFolder{SharedFolderUid: b, Revision: 1, SharedFolderKey: b, KeyType: 1,
		Data: b, DefaultManageRecords: true, DefaultManageUsers: true, DefaultCanEdit: true, DefaultCanReshare: true,
		CacheStatus: vaultpb.CacheStatus_CLEAR, Owner: "o", OwnerAccountUid: b, Name: b}),
		map[protowire.Number]protowire.Type{1: bytesT, 2: varintT, 3: bytesT, 4: varintT, 5: bytesT, 6: varintT, 7: varintT,
			8: varintT, 9: varintT, 10: varintT, 11: bytesT, 12: bytesT, 13: bytesT})
	expect(t, "UserFolderSharedFolder", fields(t, &vaultpb.UserFolderSharedFolder{FolderUid: b, SharedFolderUid: b, Revision: 1}),
		map[protowire.Number]protowire.Type{1: bytesT, 2: bytesT, 3: varintT})
	expect(t, "SharedFolderFolder", fields(t, &vaultpb.SharedFolderFolder{SharedFolderUid: b, FolderUid: b, ParentUid: b,
		SharedFolderFolderKey: b, KeyType: 1, Revision: 1, Data: b}),
		map[protowire.Number]protowire.Type{1: bytesT, 2: bytesT, 3: bytesT, 4: bytesT, 5: varintT, 6: varintT, 7: bytesT})
	expect(t, "UserFolderRecord", fields(t, &vaultpb.UserFolderRecord{FolderUid: b, RecordUid: b, Revision: 1}),
		map[protowire.Number]protowire.Type{1: bytesT, 2: bytesT, 3: varintT})
	expect(t, "SharedFolderRecord", fields(t, &vaultpb.SharedFolderRecord{SharedFolderUid: b, RecordUid: b, RecordKey: b,
		CanShare: true, CanEdit: true, OwnerAccountUid: b, Expiration: 1, Owner: true, ExpirationNotificationType: 1,
		OwnerUsername: "u", RotateOnExpiration: true}),
		map[protowire.Number]protowire.Type{1: bytesT, 2: bytesT, 3: bytesT, 4: varintT, 5: varintT, 6: bytesT, 7: varintT,
			8: varintT, 9: varintT, 10: bytesT, 11: varintT})
	expect(t, "SharedFolderFolderRecord", fields(t, &vaultpb.SharedFolderFolderRecord{SharedFolderUid: b, FolderUid: b,
		RecordUid: b, Revision: 1}), map[protowire.Number]protowire.Type{1: bytesT, 2: bytesT, 3: bytesT, 4: varintT})
}

func TestExternalShareFieldNumbers(t *testing.T) {
	b := []byte{1}
	expect(t, "AddExternalShareRequest", fields(t, &authpb.AddExternalShareRequest{RecordUid: b, EncryptedRecordKey: b,
		ClientId: b, AccessExpireOn: 1, Id: "n", IsSelfDestruct: true, IsEditable: true}),
		map[protowire.Number]protowire.Type{1: bytesT, 2: bytesT, 3: bytesT, 4: varintT, 5: bytesT, 6: varintT, 7: varintT})
}

func TestProvisionFieldNumbers(t *testing.T) {
	b := []byte{1}
	expect(t, "EnterpriseUsersProvision", fields(t, &enterprisepb.EnterpriseUsersProvision{EnterpriseUserId: 1, Username: "u",
		NodeId: 1, EncryptedData: "d", KeyType: enterprisepb.EncryptedKeyType_KT_ENCRYPTED_BY_DATA_KEY, FullName: "f",
		JobTitle: "j", EnterpriseUsersDataKey: b, AuthVerifier: b, EncryptionParams: b, RsaPublicKey: b,
		RsaEncryptedPrivateKey: b, EccPublicKey: b, EccEncryptedPrivateKey: b, EncryptedDeviceToken: b, EncryptedClientKey: b}),
		map[protowire.Number]protowire.Type{1: varintT, 2: bytesT, 3: varintT, 4: bytesT, 5: varintT, 6: bytesT, 7: bytesT,
			8: bytesT, 9: bytesT, 10: bytesT, 11: bytesT, 12: bytesT, 13: bytesT, 14: bytesT, 15: bytesT, 16: bytesT})
	expect(t, "EnterpriseUsersProvisionRequest", fields(t, &enterprisepb.EnterpriseUsersProvisionRequest{
		Users: []*enterprisepb.EnterpriseUsersProvision{{}}, ClientVersion: "c"}),
		map[protowire.Number]protowire.Type{1: bytesT, 2: bytesT})
	expect(t, "EnterpriseUsersProvisionResult", fields(t, &enterprisepb.EnterpriseUsersProvisionResult{EnterpriseUserId: 1,
		Code: "c", Message: "m", AdditionalInfo: "a"}), map[protowire.Number]protowire.Type{1: varintT, 2: bytesT, 3: bytesT, 4: bytesT})
	expect(t, "EnterpriseUsersProvisionResponse", fields(t, &enterprisepb.EnterpriseUsersProvisionResponse{
		Results: []*enterprisepb.EnterpriseUsersProvisionResult{{}}}), map[protowire.Number]protowire.Type{1: bytesT})
}
