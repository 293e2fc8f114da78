package enterprise

import (
	"sync"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
)

// UserCounts returns the number of users of each node id, users without a
// node under 0: what counting Users by NodeId gives, without decoding them
// when PartUsers is not decoded yet. Then it reads only the nodeId field of
// each raw User record (about a tenth of a full decode for 100,000 users)
// and keeps the result with the model. The map is shared: callers must not
// change it.
func (e *Enterprise) UserCounts() map[int64]int {
	if e.raw == nil || e.have&PartUsers != 0 {
		counts := map[int64]int{}
		for _, u := range e.Users {
			counts[u.NodeId]++
		}
		return counts
	}
	if e.userCounts == nil {
		e.userCounts = countUsersByNode(e.raw.list(int32(pb.EnterpriseDataEntity_USERS)))
	}
	return e.userCounts
}

// userField is what proto.Unmarshal expects of a field of pb.User: the
// wire type of its value, and whether it is a string (checked for UTF-8).
type userField struct {
	known  bool
	typ    protowire.Type
	isText bool
}

// userFields describes pb.User's fields, by field number (a slice, not a
// map: it is looked up for every field of 100,000 records).
var userFields = func() []userField {
	fields := (&pb.User{}).ProtoReflect().Descriptor().Fields()
	var out []userField
	for i := 0; i < fields.Len(); i++ {
		f := fields.Get(i)
		var typ protowire.Type
		switch f.Kind() {
		case protoreflect.StringKind, protoreflect.BytesKind:
			typ = protowire.BytesType
		case protoreflect.Fixed32Kind, protoreflect.Sfixed32Kind, protoreflect.FloatKind:
			typ = protowire.Fixed32Type
		case protoreflect.Fixed64Kind, protoreflect.Sfixed64Kind, protoreflect.DoubleKind:
			typ = protowire.Fixed64Type
		case protoreflect.MessageKind, protoreflect.GroupKind:
			typ = noWireType // its contents are checked too
		default:
			typ = protowire.VarintType
		}
		if f.Cardinality() == protoreflect.Repeated {
			typ = noWireType // packed or not, and its items checked
		}
		for len(out) <= int(f.Number()) {
			out = append(out, userField{})
		}
		out[f.Number()] = userField{known: true, typ: typ, isText: f.Kind() == protoreflect.StringKind}
	}
	return out
}()

// noWireType matches no wire type: a field of pb.User the scan does not
// read (none today) leaves its records to proto.Unmarshal.
const noWireType protowire.Type = -1

// userNodeField is pb.User's nodeId.
const userNodeField protowire.Number = 2

// countUsersByNode counts the users of a raw USERS list by node, as
// decoding each record does: one user per record (records are keyed by
// user id, so no two hold the same user), the last nodeId of a record
// wins, and a record proto.Unmarshal rejects is not counted.
func countUsersByNode(l *list) map[int64]int {
	counts := map[int64]int{}
	if l == nil {
		return counts
	}
	var mu sync.Mutex
	parallel(len(l.data), func(lo, hi int) {
		c := map[int64]int{}
		for _, b := range l.data[lo:hi] {
			if node, ok := userNode(b); ok {
				c[node]++
			}
		}
		mu.Lock()
		defer mu.Unlock()
		for node, k := range c {
			counts[node] += k
		}
	})
	return counts
}

// userNode returns the nodeId of a serialized pb.User and whether
// proto.Unmarshal accepts the record.
func userNode(b []byte) (int64, bool) {
	if node, ok := scanUserNode(b); ok {
		return node, true
	}
	return userNodeSlow(b)
}

// scanUserNode reads the nodeId of a well-formed User record without
// decoding it: fields are walked, strings checked for UTF-8, and the last
// varint nodeId wins, as in proto.Unmarshal. ok is false for anything
// unusual (a malformed tag or value, a known field with another wire type,
// a string that is not UTF-8), which is left to proto.Unmarshal.
func scanUserNode(b []byte) (node int64, ok bool) {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 || num > protowire.MaxValidNumber {
			return 0, false
		}
		b = b[n:]
		var want userField
		if int(num) < len(userFields) {
			want = userFields[num]
		}
		if want.known && want.typ != typ {
			return 0, false
		}
		switch {
		case num == userNodeField:
			v, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return 0, false
			}
			node, b = int64(v), b[n:]
		case want.isText:
			v, n := protowire.ConsumeBytes(b)
			if n < 0 || !utf8.Valid(v) {
				return 0, false
			}
			b = b[n:]
		default:
			n := protowire.ConsumeFieldValue(num, typ, b)
			if n < 0 {
				return 0, false
			}
			b = b[n:]
		}
	}
	return node, true
}

// userNodeSlow decodes the whole record.
func userNodeSlow(b []byte) (int64, bool) {
	var u pb.User
	if proto.Unmarshal(b, &u) != nil {
		return 0, false
	}
	return u.NodeId, true
}
