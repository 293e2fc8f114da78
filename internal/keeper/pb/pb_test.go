package pb_test

import (
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/keeper-go/keeper/internal/keeper/pb/accountpb"
	"github.com/keeper-go/keeper/internal/keeper/pb/authpb"
	"github.com/keeper-go/keeper/internal/keeper/pb/breachwatchpb"
	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
	"github.com/keeper-go/keeper/internal/keeper/pb/vaultpb"
)

// fields decodes the top-level tags of a marshalled message into
// field number -> wire type, failing the test on malformed bytes.
func fields(t *testing.T, m proto.Message) map[protowire.Number]protowire.Type {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	out := map[protowire.Number]protowire.Type{}
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			t.Fatalf("bad tag: %v", protowire.ParseError(n))
		}
		b = b[n:]
		m := protowire.ConsumeFieldValue(num, typ, b)
		if m < 0 {
			t.Fatalf("bad value: %v", protowire.ParseError(m))
		}
		b = b[m:]
		out[num] = typ
	}
	return out
}

func expect(t *testing.T, name string, got map[protowire.Number]protowire.Type, want map[protowire.Number]protowire.Type) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: got fields %v, want %v", name, got, want)
	}
	for n, typ := range want {
		if got[n] != typ {
			t.Errorf("%s: field %d has wire type %v (present=%v), want %v", name, n, got[n], got[n] != 0 || n == 0, typ)
		}
	}
}

const (
	bytesT  = protowire.BytesType
	varintT = protowire.VarintType
	fixed64 = protowire.Fixed64Type
)

func TestAuthenticationFieldNumbers(t *testing.T) {
	expect(t, "ApiRequest", fields(t, &authpb.ApiRequest{
		EncryptedTransmissionKey: []byte{1}, PublicKeyId: 7, Locale: "en_US", EncryptedPayload: []byte{2},
		EncryptionType: 1, Recaptcha: "r", SubEnvironment: "s", QrcMessageKey: &authpb.QrcMessageKey{MsgVersion: 1},
	}), map[protowire.Number]protowire.Type{1: bytesT, 2: varintT, 3: bytesT, 4: bytesT, 5: varintT, 6: bytesT, 7: bytesT, 8: bytesT})

	expect(t, "ApiRequestPayload", fields(t, &authpb.ApiRequestPayload{
		Payload: []byte{1}, EncryptedSessionToken: []byte{2}, TimeToken: []byte{3}, ApiVersion: 2,
	}), map[protowire.Number]protowire.Type{1: bytesT, 2: bytesT, 3: bytesT, 4: varintT})

	expect(t, "StartLoginRequest", fields(t, &authpb.StartLoginRequest{
		EncryptedDeviceToken: []byte{1}, Username: "u", ClientVersion: "c18.0.0", MessageSessionUid: []byte{1},
		EncryptedLoginToken: []byte{1}, LoginType: authpb.LoginType_ALTERNATE, McEnterpriseId: 1,
		LoginMethod: authpb.LoginMethod_EXISTING_ACCOUNT, ForceNewLogin: true, CloneCode: []byte{1},
		V2TwoFactorToken: "v", AccountUid: []byte{1}, FromSessionToken: []byte{1},
	}), map[protowire.Number]protowire.Type{1: bytesT, 2: bytesT, 3: bytesT, 4: bytesT, 5: bytesT, 6: varintT,
		7: varintT, 8: varintT, 9: varintT, 10: bytesT, 11: bytesT, 12: bytesT, 13: bytesT})

	expect(t, "LoginResponse", fields(t, &authpb.LoginResponse{
		LoginState: authpb.LoginState_LOGGED_IN, AccountUid: []byte{1}, PrimaryUsername: "p", EncryptedDataKey: []byte{1},
		EncryptedDataKeyType: authpb.EncryptedDataKeyType_BY_PASSWORD, EncryptedLoginToken: []byte{1},
		EncryptedSessionToken: []byte{1}, SessionTokenType: authpb.SessionTokenType_RESTRICT, Message: "m", Url: "u",
		Channels: []*authpb.TwoFactorChannelInfo{{}}, Salt: []*authpb.Salt{{Name: "Master"}}, CloneCode: []byte{1},
		StateSpecificValue: "s", SsoClientVersion: "v", SessionTokenTypeModifier: "x",
	}), map[protowire.Number]protowire.Type{1: varintT, 2: bytesT, 3: bytesT, 4: bytesT, 5: varintT, 6: bytesT,
		7: bytesT, 8: varintT, 9: bytesT, 10: bytesT, 11: bytesT, 12: bytesT, 13: bytesT, 14: bytesT, 15: bytesT, 16: bytesT})

	expect(t, "Salt", fields(t, &authpb.Salt{Iterations: 1000, Salt: []byte{1}, Algorithm: 2, Uid: []byte{1}, Name: "Master"}),
		map[protowire.Number]protowire.Type{1: varintT, 2: bytesT, 3: varintT, 4: bytesT, 5: bytesT})
	expect(t, "DeviceRegistrationRequest", fields(t, &authpb.DeviceRegistrationRequest{
		ClientVersion: "c", DeviceName: "d", DevicePublicKey: []byte{4}, DevicePlatform: "p", ClientFormFactor: 1, Username: "u",
	}), map[protowire.Number]protowire.Type{1: bytesT, 2: bytesT, 3: bytesT, 4: bytesT, 5: varintT, 6: bytesT})
	expect(t, "RegisterDeviceDataKeyRequest", fields(t, &authpb.RegisterDeviceDataKeyRequest{
		EncryptedDeviceToken: []byte{1}, EncryptedDeviceDataKey: []byte{2},
	}), map[protowire.Number]protowire.Type{1: bytesT, 2: bytesT})

	if authpb.LoginState_LOGGED_IN != 99 || authpb.LoginState_REQUIRES_AUTH_HASH != 13 || authpb.LoginState_REQUIRES_USERNAME != 14 {
		t.Error("LoginState values differ from Keeper's")
	}
	if authpb.EncryptedDataKeyType_BY_ALTERNATE != 3 || authpb.EncryptedDataKeyType_BY_DEVICE_PUBLIC_KEY != 1 {
		t.Error("EncryptedDataKeyType values differ from Keeper's")
	}
}

func TestAccountSummaryFieldNumbers(t *testing.T) {
	got := fields(t, &accountpb.AccountSummaryElements{
		ClientKey: []byte{1}, Settings: &accountpb.Settings{}, KeysInfo: &accountpb.KeysInfo{}, IsEnterpriseAdmin: true,
		License: &accountpb.License{}, Enforcements: &accountpb.Enforcements{}, Devices: []*accountpb.DeviceInfo{{}},
		ForbidKeyType2: true,
	})
	expect(t, "AccountSummaryElements", got, map[protowire.Number]protowire.Type{1: bytesT, 2: bytesT, 3: bytesT,
		5: varintT, 6: bytesT, 8: bytesT, 13: bytesT, 18: varintT})
	expect(t, "License", fields(t, &accountpb.License{AccountType: 2, EnterpriseId: 5, AccountUid: []byte{1}, Email: "e"}),
		map[protowire.Number]protowire.Type{13: varintT, 15: varintT, 19: bytesT, 22: bytesT})
	expect(t, "Settings", fields(t, &accountpb.Settings{LogoutTimer: 1, PersistentLogin: true, SsoUser: true}),
		map[protowire.Number]protowire.Type{16: varintT, 26: varintT, 27: varintT})
	// The fields Commander's whoami and login read besides the ones above.
	expect(t, "License (whoami)", fields(t, &accountpb.License{SubscriptionCode: "s", ProductTypeId: 11, ProductTypeName: "p",
		ExpirationDate: "d", SecondsUntilExpiration: 1, FilePlanType: 4, BytesUsed: 1, BytesTotal: 1, StorageExpirationDate: "d",
		AuditAndReportingEnabled: true, BreachWatchEnabled: true, Error: &accountpb.Result{Result: "r"}, Expiration: 1,
		StorageExpiration: 1, IsPamEnabled: true, IsKsmEnabled: true}),
		map[protowire.Number]protowire.Type{1: bytesT, 2: varintT, 3: bytesT, 4: bytesT, 5: varintT, 7: varintT, 8: varintT,
			9: varintT, 11: bytesT, 17: varintT, 23: varintT, 27: bytesT, 29: varintT, 30: varintT, 34: varintT, 35: varintT})
	expect(t, "Settings (more)", fields(t, &accountpb.Settings{Audit: true, MasterPasswordLastModified: 1, RecordTypesEnabled: true,
		Channels: []authpb.TwoFactorChannelType{1}, MaxIpDistanceEffective: 1}),
		map[protowire.Number]protowire.Type{1: varintT, 12: fixed64, 33: varintT, 38: bytesT, 41: varintT})
	expect(t, "KeysInfo", fields(t, &accountpb.KeysInfo{EncryptionParams: []byte{1}, DataKeyBackupDate: 1,
		EncryptedPrivateKey: []byte{1}, EncryptedEccPrivateKey: []byte{1}, EccPublicKey: []byte{1}}),
		map[protowire.Number]protowire.Type{1: bytesT, 3: fixed64, 5: bytesT, 6: bytesT, 7: bytesT})
	expect(t, "DeviceInfo", fields(t, &accountpb.DeviceInfo{EncryptedDeviceToken: []byte{1}, EncryptedDataKeyPresent: true}),
		map[protowire.Number]protowire.Type{1: bytesT, 10: varintT})
}

func TestEnterpriseFieldNumbers(t *testing.T) {
	expect(t, "EnterpriseDataResponse", fields(t, &enterprisepb.EnterpriseDataResponse{
		ContinuationToken: []byte{1}, HasMore: true, CacheStatus: enterprisepb.CacheStatus_CLEAR,
		Data:        []*enterprisepb.EnterpriseData{{Entity: enterprisepb.EnterpriseDataEntity_MANAGED_COMPANIES, Delete: true, Data: [][]byte{{1}}}},
		GeneralData: &enterprisepb.GeneralDataEntity{EnterpriseName: "x", Distributor: true},
	}), map[protowire.Number]protowire.Type{1: bytesT, 2: varintT, 3: varintT, 4: bytesT, 5: bytesT})
	expect(t, "EnterpriseData", fields(t, &enterprisepb.EnterpriseData{Entity: 3, Delete: true, Data: [][]byte{{1}}}),
		map[protowire.Number]protowire.Type{1: varintT, 2: varintT, 3: bytesT})
	expect(t, "GeneralDataEntity", fields(t, &enterprisepb.GeneralDataEntity{EnterpriseName: "x", Distributor: true}),
		map[protowire.Number]protowire.Type{1: bytesT, 8: varintT})
	expect(t, "ManagedCompany", fields(t, &enterprisepb.ManagedCompany{McEnterpriseId: 1, McEnterpriseName: "n",
		MspNodeId: 1, NumberOfSeats: 2147483647, NumberOfUsers: 1, ProductId: "business", IsExpired: true, TreeKey: "k",
		TreeKeyRole: 1, FilePlanType: "STORAGE_1TB", AddOns: []*enterprisepb.LicenseAddOn{{}}, TreeKeyTypeId: 3}),
		map[protowire.Number]protowire.Type{1: varintT, 2: bytesT, 3: varintT, 4: varintT, 5: varintT, 6: bytesT,
			7: varintT, 8: bytesT, 9: varintT, 10: bytesT, 11: bytesT, 12: varintT})
	expect(t, "License", fields(t, &enterprisepb.License{LicenseStatus: "msp", MspPool: []*enterprisepb.MSPPool{{}},
		MspPermits: &enterprisepb.MSPPermits{Restricted: true}, Distributor: true}),
		map[protowire.Number]protowire.Type{14: bytesT, 15: bytesT, 20: bytesT, 21: varintT})
	expect(t, "User", fields(t, &enterprisepb.User{EnterpriseUserId: 1, Username: "u", Status: "active", Lock: 1,
		TransferAcceptanceStatus: enterprisepb.TransferAcceptanceStatus_ACCEPTED}),
		map[protowire.Number]protowire.Type{1: varintT, 5: bytesT, 6: bytesT, 7: varintT, 13: varintT})
	expect(t, "TreeKey", fields(t, &enterprisepb.TreeKey{TreeKey: "k", KeyTypeId: enterprisepb.BackupKeyType_ENCRYPTED_BY_DATA_KEY}),
		map[protowire.Number]protowire.Type{1: bytesT, 2: varintT})
	expect(t, "LoginToMcResponse", fields(t, &enterprisepb.LoginToMcResponse{EncryptedSessionToken: []byte{1},
		EncryptedTreeKey: "k", KeyTypeId: 3, ForbidKeyType2: true}),
		map[protowire.Number]protowire.Type{1: bytesT, 2: bytesT, 3: varintT, 4: varintT})
	expect(t, "NodeToManagedCompanyRequest", fields(t, &enterprisepb.NodeToManagedCompanyRequest{CompanyId: 5,
		Nodes: []*enterprisepb.ReEncryptedData{{}}, Roles: []*enterprisepb.ReEncryptedData{{}}, Users: []*enterprisepb.ReEncryptedData{{}},
		RoleKeys: []*enterprisepb.ReEncryptedRoleKey{{}}, TeamKeys: []*enterprisepb.EncryptedTeamKeyRequest{{}},
		UsersDataKeys: []*enterprisepb.ReEncryptedUserDataKey{{}}}),
		map[protowire.Number]protowire.Type{1: varintT, 2: bytesT, 3: bytesT, 4: bytesT, 5: bytesT, 6: bytesT, 7: bytesT})
	expect(t, "ReEncryptedData", fields(t, &enterprisepb.ReEncryptedData{Id: 1, Data: "d"}),
		map[protowire.Number]protowire.Type{1: varintT, 2: bytesT})
	expect(t, "EncryptedTeamKeyRequest", fields(t, &enterprisepb.EncryptedTeamKeyRequest{TeamUid: []byte{1}, EncryptedTeamKey: []byte{1}, Force: true}),
		map[protowire.Number]protowire.Type{1: bytesT, 2: bytesT, 3: varintT})
	expect(t, "ReEncryptedUserDataKey", fields(t, &enterprisepb.ReEncryptedUserDataKey{EnterpriseUserId: 1, UserEncryptedDataKey: []byte{1}}),
		map[protowire.Number]protowire.Type{1: varintT, 2: bytesT})
	expect(t, "EnterpriseUserDataKeysByNodeResponse", fields(t, &enterprisepb.EnterpriseUserDataKeysByNodeResponse{
		Keys: []*enterprisepb.EnterpriseUserDataKeysByNode{{}}}), map[protowire.Number]protowire.Type{1: bytesT})
	expect(t, "EnterpriseUserDataKeysByNode", fields(t, &enterprisepb.EnterpriseUserDataKeysByNode{NodeId: 1,
		Keys: []*enterprisepb.EnterpriseUserDataKeyLight{{}}}), map[protowire.Number]protowire.Type{1: varintT, 2: bytesT})
	expect(t, "EnterpriseUserDataKeyLight", fields(t, &enterprisepb.EnterpriseUserDataKeyLight{EnterpriseUserId: 1,
		UserEncryptedDataKey: []byte{1}, KeyTypeId: 4}), map[protowire.Number]protowire.Type{1: varintT, 2: bytesT, 3: varintT})
	expect(t, "UserDataKeyByNodeRequest", fields(t, &authpb.UserDataKeyByNodeRequest{NodeIds: []int64{1, 2}}),
		map[protowire.Number]protowire.Type{1: bytesT})
	if enterprisepb.EnterpriseDataEntity_USER_ALIASES != 21 || enterprisepb.EnterpriseDataEntity_MANAGED_COMPANIES != 12 {
		t.Error("EnterpriseDataEntity values differ from Keeper's")
	}
}

func TestBreachWatchFieldNumbers(t *testing.T) {
	expect(t, "EnterprisePublicKeyResponse", fields(t, &breachwatchpb.EnterprisePublicKeyResponse{
		EnterprisePublicKey: []byte{1}, EnterpriseECCPublicKey: []byte{2}}), map[protowire.Number]protowire.Type{1: bytesT, 2: bytesT})
}

func TestVaultFieldNumbers(t *testing.T) {
	expect(t, "SyncDownResponse", fields(t, &vaultpb.SyncDownResponse{ContinuationToken: []byte{1}, HasMore: true,
		CacheStatus: vaultpb.CacheStatus_CLEAR}), map[protowire.Number]protowire.Type{1: bytesT, 2: varintT, 3: varintT})
}

// TestEnterpriseUserFieldNumbers pins the messages of enterprise-user's REST
// calls (Commander's enterprise.py EnterpriseUserCommand, api.py
// load_user_public_keys).
func TestEnterpriseUserFieldNumbers(t *testing.T) {
	expect(t, "GetPublicKeysRequest", fields(t, &authpb.GetPublicKeysRequest{Usernames: []string{"a"}}),
		map[protowire.Number]protowire.Type{1: bytesT})
	expect(t, "PublicKeyResponse", fields(t, &authpb.PublicKeyResponse{Username: "u", PublicKey: []byte{1}, PublicEccKey: []byte{1},
		Message: "m", ErrorCode: "e", AccountUid: []byte{1}}),
		map[protowire.Number]protowire.Type{1: bytesT, 2: bytesT, 3: bytesT, 4: bytesT, 5: bytesT, 6: bytesT})
	expect(t, "GetPublicKeysResponse", fields(t, &authpb.GetPublicKeysResponse{KeyResponses: []*authpb.PublicKeyResponse{{}}}),
		map[protowire.Number]protowire.Type{1: bytesT})
	expect(t, "EnterpriseUserAliasRequest", fields(t, &authpb.EnterpriseUserAliasRequest{EnterpriseUserId: 1, Alias: "a"}),
		map[protowire.Number]protowire.Type{1: varintT, 2: bytesT})
	expect(t, "EnterpriseUserAddAliasRequest", fields(t, &authpb.EnterpriseUserAddAliasRequest{EnterpriseUserId: 1, Alias: "a", Primary: true}),
		map[protowire.Number]protowire.Type{1: varintT, 2: bytesT, 3: varintT})
	expect(t, "EnterpriseUserIds", fields(t, &enterprisepb.EnterpriseUserIds{EnterpriseUserId: []int64{1, 2}}),
		map[protowire.Number]protowire.Type{1: bytesT})
}
