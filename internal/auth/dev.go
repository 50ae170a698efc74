package auth

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"
)

// The dev issuer's fixed names.
const (
	DevIssuerID = "urn:contoso-mcp:dev-issuer"
	DevAudience = "contoso-mcp"
	// DevKeyFile is the dev issuer's private key, in the data directory.
	DevKeyFile = "dev-issuer.key"
)

// DevIssuer is the local development issuer: an RSA 2048 key kept in the data
// directory, so every process given the same directory (replicas, the
// gateway, the token command) signs and trusts the same tokens. For loopback
// development only: anyone who can read the directory can mint tokens.
type DevIssuer struct {
	key  *rsa.PrivateKey
	kid  string
	jwks []byte
	now  func() time.Time
}

// LoadOrCreateDevIssuer loads dataDir/dev-issuer.key, creating it on first
// use. Creation is atomic across processes: the key is written to a temporary
// file and hard-linked into place, which fails if another process got there
// first; every process then reads whatever file won.
func LoadOrCreateDevIssuer(dataDir string) (*DevIssuer, error) {
	if dataDir == "" {
		return nil, errors.New("dev issuer: no data directory")
	}
	path := filepath.Join(dataDir, DevKeyFile)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		if err := createDevKey(dataDir, path); err != nil {
			return nil, err
		}
	}
	var lastErr error
	for range 20 { // a file written by the fallback path may be briefly partial
		key, err := readDevKey(path)
		if err == nil {
			return newDevIssuer(key)
		}
		lastErr = err
		time.Sleep(50 * time.Millisecond)
	}
	return nil, lastErr
}

func createDevKey(dataDir, path string) error {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return fmt.Errorf("dev issuer: %w", err)
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return fmt.Errorf("dev issuer: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return fmt.Errorf("dev issuer: %w", err)
	}
	data := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	tmp, err := os.CreateTemp(dataDir, ".dev-issuer-*.tmp") // created 0600
	if err != nil {
		return fmt.Errorf("dev issuer: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("dev issuer: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("dev issuer: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("dev issuer: %w", err)
	}
	err = os.Link(tmp.Name(), path)
	switch {
	case err == nil, errors.Is(err, fs.ErrExist):
		return nil // ours, or another process's: either way read the file
	}
	// No hard links here (some file systems): create exclusively instead.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("dev issuer: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("dev issuer: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("dev issuer: %w", err)
	}
	return nil
}

func readDevKey(path string) (*rsa.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("dev issuer: %w", err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("dev issuer: %s holds no PEM private key", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("dev issuer: %s: %w", path, err)
	}
	key, ok := k.(*rsa.PrivateKey)
	if !ok || key.N.BitLen() < 2048 {
		return nil, fmt.Errorf("dev issuer: %s is not an RSA key of 2048 bits or more", path)
	}
	return key, nil
}

func newDevIssuer(key *rsa.PrivateKey) (*DevIssuer, error) {
	kid := thumbprint(&key.PublicKey)
	j, err := jwkset.NewJWKFromKey(&key.PublicKey, jwkset.JWKOptions{
		Metadata: jwkset.JWKMetadataOptions{ALG: jwkset.AlgRS256, KID: kid, USE: jwkset.UseSig},
	})
	if err != nil {
		return nil, fmt.Errorf("dev issuer: %w", err)
	}
	jwks, err := json.Marshal(jwkset.JWKSMarshal{Keys: []jwkset.JWKMarshal{j.Marshal()}})
	if err != nil {
		return nil, fmt.Errorf("dev issuer: %w", err)
	}
	return &DevIssuer{key: key, kid: kid, jwks: jwks, now: time.Now}, nil
}

// thumbprint is the RFC 7638 JWK thumbprint of an RSA public key.
func thumbprint(pub *rsa.PublicKey) string {
	b64 := base64.RawURLEncoding.EncodeToString
	// The members in lexicographic order, no whitespace (RFC 7638 §3.2).
	canon := `{"e":"` + b64(big.NewInt(int64(pub.E)).Bytes()) + `","kty":"RSA","n":"` + b64(pub.N.Bytes()) + `"}`
	sum := sha256.Sum256([]byte(canon))
	return b64(sum[:])
}

// Issuer is the iss of dev tokens.
func (d *DevIssuer) Issuer() string { return DevIssuerID }

// Audience is the aud of dev tokens.
func (d *DevIssuer) Audience() string { return DevAudience }

// KeyID is the signing key's kid (its RFC 7638 thumbprint).
func (d *DevIssuer) KeyID() string { return d.kid }

// JWKS is the public key set, to publish like a real issuer's.
func (d *DevIssuer) JWKS() []byte { return append([]byte(nil), d.jwks...) }

// Mint signs an access token for subject in tenant (tid = the tenant name)
// holding roles (no roles claim when empty), valid for ttl.
func (d *DevIssuer) Mint(tenant, subject string, roles []string, ttl time.Duration) (string, error) {
	if err := checkTenantName(tenant); err != nil {
		return "", fmt.Errorf("dev issuer: %w", err)
	}
	if subject == "" {
		return "", errors.New("dev issuer: empty subject")
	}
	if ttl <= 0 {
		return "", fmt.Errorf("dev issuer: ttl %s is not positive", ttl)
	}
	now := d.now().Truncate(time.Second)
	var jti [16]byte
	if _, err := rand.Read(jti[:]); err != nil {
		return "", err
	}
	claims := jwt.MapClaims{
		"iss": DevIssuerID,
		"aud": DevAudience,
		"sub": subject,
		"oid": subject,
		"tid": tenant,
		"iat": now.Unix(),
		"nbf": now.Unix(),
		"exp": now.Add(ttl).Unix(),
		"jti": hex.EncodeToString(jti[:]),
	}
	if len(roles) > 0 {
		claims["roles"] = append([]string(nil), roles...)
	}
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	t.Header["kid"] = d.kid
	return t.SignedString(d.key)
}
