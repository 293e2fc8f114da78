package crypto

import "testing"

func BenchmarkEncryptEC(b *testing.B) {
	priv, err := GenerateECKey()
	if err != nil {
		b.Fatal(err)
	}
	data := GenerateAESKey()
	for b.Loop() {
		if _, err := EncryptEC(data, priv.PublicKey()); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecryptEC(b *testing.B) {
	priv, err := GenerateECKey()
	if err != nil {
		b.Fatal(err)
	}
	ct, err := EncryptEC(GenerateAESKey(), priv.PublicKey())
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := DecryptEC(ct, priv); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDeriveKeyHashV1(b *testing.B) {
	salt := RandomBytes(SaltSize)
	for b.Loop() {
		DeriveKeyHashV1("password", salt, 1000)
	}
}

func BenchmarkAESv2(b *testing.B) {
	key := GenerateAESKey()
	data := make([]byte, 1024)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		ct, err := EncryptAESv2(data, key)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := DecryptAESv2(ct, key); err != nil {
			b.Fatal(err)
		}
	}
}
