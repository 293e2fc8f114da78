package pb_test

import (
	"testing"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/keeper-go/keeper/internal/keeper/pb/authpb"
	"github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
)

// TestUserAdministrationFieldNumbers: the messages of enterprise-user's
// REST calls (aliases, 2FA reset, public keys) carry Keeper's numbers
// (Commander keepercommander/proto/APIRequest_pb2.py and enterprise_pb2.py).
func TestUserAdministrationFieldNumbers(t *testing.T) {
	expect(t, "EnterpriseUserAliasRequest", fields(t, &authpb.EnterpriseUserAliasRequest{EnterpriseUserId: 1, Alias: "a"}),
		map[protowire.Number]protowire.Type{1: varintT, 2: bytesT})
	expect(t, "EnterpriseUserAddAliasRequest", fields(t, &authpb.EnterpriseUserAddAliasRequest{EnterpriseUserId: 1, Alias: "a",
		Primary: true}), map[protowire.Number]protowire.Type{1: varintT, 2: bytesT, 3: varintT})
	expect(t, "GetPublicKeysRequest", fields(t, &authpb.GetPublicKeysRequest{Usernames: []string{"u"}}),
		map[protowire.Number]protowire.Type{1: bytesT})
	expect(t, "PublicKeyResponse", fields(t, &authpb.PublicKeyResponse{Username: "u", PublicKey: []byte{1}, PublicEccKey: []byte{1},
		Message: "m", ErrorCode: "e", AccountUid: []byte{1}}),
		map[protowire.Number]protowire.Type{1: bytesT, 2: bytesT, 3: bytesT, 4: bytesT, 5: bytesT, 6: bytesT})
	expect(t, "GetPublicKeysResponse", fields(t, &authpb.GetPublicKeysResponse{KeyResponses: []*authpb.PublicKeyResponse{{}}}),
		map[protowire.Number]protowire.Type{1: bytesT})
	expect(t, "EnterpriseUserIds", fields(t, &enterprisepb.EnterpriseUserIds{EnterpriseUserId: []int64{1, 2}}),
		map[protowire.Number]protowire.Type{1: bytesT})
	expect(t, "RoleTeams", fields(t, &enterprisepb.RoleTeams{RoleTeam: []*enterprisepb.RoleTeam{{RoleId: 1}}}),
		map[protowire.Number]protowire.Type{1: bytesT})
}
