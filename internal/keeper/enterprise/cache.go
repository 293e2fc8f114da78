package enterprise

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"os"

	"github.com/keeper-go/keeper/internal/fsutil"
	"github.com/keeper-go/keeper/internal/keeper/crypto"
)

// cacheVersion changes whenever the file layout changes; other versions are
// ignored (a full sync follows).
const cacheVersion = 4

// cacheMagic starts every cache file of this layout; a file without it (an
// older gob cache, garbage) is ignored.
const cacheMagic = "KGOENTC\x04"

// cacheKeyInfo derives the cache key from the account's data key
// (HKDF-SHA256), so the file opens only for the account that wrote it and
// the data key itself is never used for anything but Keeper's own blobs.
const cacheKeyInfo = "keeper-go enterprise cache v4"

// Cache is the on-disk enterprise cache: the raw data as received, the
// continuation token, the tree key and the account facts the session keeps
// (AccountFacts), all encrypted at rest with AES-256-GCM under a key
// derived from the account's data key. The file is 0600 and replaced
// atomically. A file that does not decrypt, or belongs to another owner or
// layout, is ignored: the next load is a full sync.
//
// Layout: the 8-byte magic, a 4-byte big-endian header length, the sealed
// header (12-byte nonce, ciphertext, tag), then one sealed section per
// entity kind (ciphertext and tag; the header holds each section's nonce,
// place and entity count). A section is a run of records — uvarint arrival
// number, uvarint-prefixed identity, uvarint-prefixed entity bytes — in
// arrival order. Sections are authenticated with their kind as associated
// data and bound to the header by their nonces, so a section from another
// file does not open. A load parses only the kinds it needs, and a rewrite
// seals unchanged kinds from their records without encoding them again.
type Cache struct {
	Path string
	// Owner identifies server and account; a file written for another
	// owner is ignored.
	Owner string
}

// cacheState is what the cache file holds, and the loader's in-memory
// state between loads.
type cacheState struct {
	Owner         string
	Token         []byte
	RSAPrivateEnc []byte // as received (AES-GCM under the tree key)
	ECPrivateEnc  []byte
	RSAPublic     []byte // enterprise public keys as received
	ECPublic      []byte
	Account       *AccountFacts // nil until a session stored them
	Raw           *Raw

	treeKey []byte
	// dirty says the state differs from the file (beyond Raw.changed).
	dirty bool
}

// section is one kind's part of the cache file: its records in clear
// until parsed (Raw.pending), or sealed for writing.
type section struct {
	count int
	nonce []byte
	ct    []byte
	plain []byte
}

func cacheAEAD(dataKey []byte) (cipher.AEAD, error) {
	if len(dataKey) == 0 {
		return nil, errors.New("enterprise cache: no data key")
	}
	key, err := hkdf.Key(sha256.New, dataKey, nil, cacheKeyInfo, 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// headerKind is the associated data of the header; sections use their
// entity kind.
const headerKind = 0xFFFFFFFF

func cacheAAD(kind uint32) []byte {
	return binary.BigEndian.AppendUint32([]byte(cacheMagic), kind)
}

var errCorrupt = errors.New("enterprise cache is corrupt")

func (c *Cache) read(dataKey []byte) (*cacheState, error) {
	b, err := os.ReadFile(c.Path)
	if err != nil {
		return nil, err
	}
	aead, err := cacheAEAD(dataKey)
	if err != nil {
		return nil, err
	}
	if len(b) < len(cacheMagic)+4 || string(b[:len(cacheMagic)]) != cacheMagic {
		return nil, errCorrupt
	}
	b = b[len(cacheMagic):]
	hl := binary.BigEndian.Uint32(b)
	b = b[4:]
	ns := aead.NonceSize()
	if uint64(hl) > uint64(len(b)) || int(hl) < ns {
		return nil, errCorrupt
	}
	hdr, err := aead.Open(b[ns:ns], b[:ns], b[ns:hl], cacheAAD(headerKind))
	if err != nil {
		return nil, errors.New("enterprise cache does not decrypt with this account")
	}
	body := b[hl:]
	s := &cacheState{Raw: NewRaw()}
	rd := &reader{b: hdr}
	version := rd.uvarint()
	s.Owner = string(rd.bytes())
	if rd.err == nil && (version != cacheVersion || s.Owner != c.Owner) {
		return nil, errors.New("enterprise cache belongs to another account or version")
	}
	s.Token = rd.bytes()
	s.treeKey = rd.bytes()
	s.RSAPrivateEnc, s.ECPrivateEnc = rd.bytes(), rd.bytes()
	s.RSAPublic, s.ECPublic = rd.bytes(), rd.bytes()
	s.Raw.Name, s.Raw.Distributor, s.Raw.Next = string(rd.bytes()), rd.bool(), rd.uvarint()
	if rd.bool() {
		s.Account = &AccountFacts{EnterpriseAdmin: rd.bool(), EnterpriseID: int32(rd.varint())}
	}
	n := rd.uvarint()
	if rd.err != nil || n > 1<<16 || len(s.treeKey) != 32 {
		return nil, errCorrupt
	}
	// Every section is opened (authenticated) now, in place, so a damaged
	// file is found here and costs a full sync, never missing entities
	// later; parsing waits until a kind is needed.
	s.Raw.pending = map[int32]*section{}
	for i := uint64(0); i < n; i++ {
		kind, count, nonce := rd.uvarint(), rd.uvarint(), rd.bytes()
		off, size := rd.uvarint(), rd.uvarint()
		if rd.err != nil || kind > 1<<20 || len(nonce) != ns || off > uint64(len(body)) || size > uint64(len(body))-off {
			return nil, errCorrupt
		}
		ct := body[off : off+size : off+size]
		plain, err := aead.Open(ct[:0], nonce, ct, cacheAAD(uint32(kind)))
		if err != nil {
			return nil, errCorrupt
		}
		s.Raw.pending[int32(kind)] = &section{count: int(min(count, uint64(len(plain)))), plain: plain}
	}
	if rd.err != nil {
		return nil, errCorrupt
	}
	return s, nil
}

// parse turns a kind's section records into its list (the maps wait until
// the kind changes or is looked up). The entity bytes stay slices of the
// section's plaintext, which also stays as the kind's clean records.
func (r *Raw) parse(kind int32, s *section) *list {
	n := s.count
	l := &list{ids: make([]string, 0, n), data: make([][]byte, 0, n), seq: make([]uint64, 0, n), num: make([]bool, 0, n)}
	rd := &reader{b: s.plain}
	for len(rd.b) > 0 && rd.err == nil {
		num, id, data := rd.uvarint(), rd.bytes(), rd.bytes()
		if rd.err != nil {
			break
		}
		l.ids, l.data, l.seq, l.num = append(l.ids, string(id)), append(l.data, data), append(l.seq, num), append(l.num, true)
	}
	r.setList(kind, l)
	if r.clean == nil {
		r.clean = map[int32][]byte{}
	}
	r.clean[kind] = s.plain
	return l
}

// records encodes a kind's entities in arrival order.
func (r *Raw) records(kind int32) []byte {
	l := r.list(kind)
	if l == nil {
		return nil
	}
	size := 0
	for i, id := range l.ids {
		size += 3*binary.MaxVarintLen64 + len(id) + len(l.data[i])
	}
	w := make([]byte, 0, size+16) // room for the tag when sealed in place
	for i, id := range l.ids {
		w = binary.AppendUvarint(w, l.seq[i])
		w = appendBytes(w, []byte(id))
		w = appendBytes(w, l.data[i])
	}
	return w
}

func (c *Cache) write(s *cacheState, dataKey []byte) error {
	aead, err := cacheAEAD(dataKey)
	if err != nil {
		return err
	}
	r := s.Raw
	var body [][]byte
	var table []byte
	kinds := r.kinds()
	table = binary.AppendUvarint(table, uint64(len(kinds)))
	off := 0
	for _, k := range kinds {
		nonce := crypto.RandomBytes(aead.NonceSize())
		var sec *section
		switch {
		case r.pending[k] != nil: // never parsed: its records are still the plaintext
			p := r.pending[k]
			sec = &section{count: p.count, ct: aead.Seal(nil, nonce, p.plain, cacheAAD(uint32(k)))}
		case r.clean[k] != nil: // parsed, unchanged
			sec = &section{count: len(r.list(k).ids), ct: aead.Seal(nil, nonce, r.clean[k], cacheAAD(uint32(k)))}
		default:
			plain := r.records(k)
			count := 0
			if l := r.list(k); l != nil {
				count = len(l.ids)
			}
			sec = &section{count: count, ct: aead.Seal(plain[:0], nonce, plain, cacheAAD(uint32(k)))}
		}
		sec.nonce = nonce
		table = binary.AppendUvarint(table, uint64(k))
		table = binary.AppendUvarint(table, uint64(sec.count))
		table = appendBytes(table, sec.nonce)
		table = binary.AppendUvarint(table, uint64(off))
		table = binary.AppendUvarint(table, uint64(len(sec.ct)))
		body = append(body, sec.ct)
		off += len(sec.ct)
	}
	var h []byte
	h = binary.AppendUvarint(h, cacheVersion)
	h = appendBytes(h, []byte(c.Owner))
	h = appendBytes(h, s.Token)
	h = appendBytes(h, s.treeKey)
	h = appendBytes(h, s.RSAPrivateEnc)
	h = appendBytes(h, s.ECPrivateEnc)
	h = appendBytes(h, s.RSAPublic)
	h = appendBytes(h, s.ECPublic)
	h = appendBytes(h, []byte(r.Name))
	h = appendBool(h, r.Distributor)
	h = binary.AppendUvarint(h, r.Next)
	h = appendBool(h, s.Account != nil)
	if a := s.Account; a != nil {
		h = appendBool(h, a.EnterpriseAdmin)
		h = binary.AppendVarint(h, int64(a.EnterpriseID))
	}
	h = append(h, table...)
	nonce := crypto.RandomBytes(aead.NonceSize())
	sealed := aead.Seal(append([]byte(nil), nonce...), nonce, h, cacheAAD(headerKind))
	head := append([]byte(cacheMagic), binary.BigEndian.AppendUint32(nil, uint32(len(sealed)))...)
	parts := append([][]byte{head, sealed}, body...)
	if err := fsutil.WriteFileParts(c.Path, parts, 0o600); err != nil {
		return err
	}
	s.Owner, s.dirty, r.changed = c.Owner, false, false
	return nil
}

// Remove deletes the cache file (enterprise-down --force, logout).
func (c *Cache) Remove() error {
	err := os.Remove(c.Path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

func appendBytes(w, b []byte) []byte {
	w = binary.AppendUvarint(w, uint64(len(b)))
	return append(w, b...)
}

func appendBool(w []byte, v bool) []byte {
	if v {
		return append(w, 1)
	}
	return append(w, 0)
}

// reader decodes the cache's uvarint-prefixed fields; the first error
// sticks and later reads return zero values.
type reader struct {
	b   []byte
	err error
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errCorrupt
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err = errCorrupt
		return 0
	}
	r.b = r.b[n:]
	return v
}

// bytes returns the next length-prefixed field, sharing the buffer (its
// capacity is cut so an append never writes into the next field).
func (r *reader) bytes() []byte {
	n := r.uvarint()
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)) {
		r.err = errCorrupt
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) bool() bool {
	if r.err != nil {
		return false
	}
	if len(r.b) == 0 || r.b[0] > 1 {
		r.err = fmt.Errorf("enterprise cache: bad flag")
		return false
	}
	v := r.b[0] == 1
	r.b = r.b[1:]
	return v
}
