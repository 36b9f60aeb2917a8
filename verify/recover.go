package verify

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/asn1"
	"math/big"
)

// SignerCandidates returns the keys that may have made sig (ASN.1 DER,
// ECDSA P-256 over SHA-256 of msg), for messages that must name the key a
// bundle was signed with when no trusted key made it. An ECDSA signature
// does not name its key, but the key can be recovered from the signature
// and the message (SEC 1 v2, §4.1.6): one candidate for each point R whose
// x coordinate is r, which gives two (R and −R) — four in theory, when
// r + n is below p as well, which has probability about 2^-128. Every
// candidate returned verifies sig over msg; which one made it cannot be
// told from one signature, so a message names them all. A signature that
// is not DER or not in range gives none.
//
// It never decides trust: trust is Signer's comparison with trusted keys.
func SignerCandidates(msg, sig []byte) []*PublicKey {
	var rs struct{ R, S *big.Int }
	rest, err := asn1.Unmarshal(sig, &rs)
	c := elliptic.P256().Params()
	if err != nil || len(rest) > 0 || !inRange(rs.R, c.N) || !inRange(rs.S, c.N) {
		return nil
	}
	sum := sha256.Sum256(msg)
	e := new(big.Int).SetBytes(sum[:]) // n has 256 bits: no truncation
	rInv := new(big.Int).ModInverse(rs.R, c.N)
	u1 := new(big.Int).Neg(e)
	u1.Mul(u1, rInv).Mod(u1, c.N) // −e/r
	u2 := new(big.Int).Mul(rs.S, rInv)
	u2.Mod(u2, c.N) // s/r

	var out []*PublicKey
	for j := int64(0); j < 2; j++ { // the cofactor of P-256 is 1
		x := new(big.Int).Mul(big.NewInt(j), c.N)
		x.Add(x, rs.R)
		if x.Cmp(c.P) >= 0 {
			break
		}
		y := curveY(c, x)
		if y == nil {
			continue // no point on the curve has this x
		}
		for _, ry := range []*big.Int{y, new(big.Int).Sub(c.P, y)} {
			r := &point{x, ry}
			q := add(c, mul(c, u1, &point{c.Gx, c.Gy}), mul(c, u2, r))
			if q == nil {
				continue
			}
			k, ok := publicKeyAt(q)
			if !ok || containsKey(out, k) || k.Verify(msg, sig) != nil {
				continue
			}
			out = append(out, k)
		}
	}
	return out
}

func inRange(v, n *big.Int) bool { return v != nil && v.Sign() > 0 && v.Cmp(n) < 0 }

// publicKeyAt returns the public key at q, a point on P-256.
func publicKeyAt(q *point) (*PublicKey, bool) {
	b := make([]byte, 65)
	b[0] = 4
	q.x.FillBytes(b[1:33])
	q.y.FillBytes(b[33:])
	ec, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), b)
	if err != nil {
		return nil, false
	}
	k, err := newPublicKey(ec)
	return k, err == nil
}

// Affine arithmetic on y² = x³ − 3x + b over GF(p), for the two scalar
// multiplications of key recovery. The inputs are public (a signature and a
// message), so it need not run in constant time; nil is the point at
// infinity.
type point struct{ x, y *big.Int }

// curveY returns a y with (x, y) on the curve, or nil when there is none.
func curveY(c *elliptic.CurveParams, x *big.Int) *big.Int {
	y2 := new(big.Int).Exp(x, big.NewInt(3), c.P)
	t := new(big.Int).Mul(x, big.NewInt(3))
	y2.Sub(y2, t).Add(y2, c.B).Mod(y2, c.P)
	return new(big.Int).ModSqrt(y2, c.P)
}

func add(c *elliptic.CurveParams, a, b *point) *point {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case a.x.Cmp(b.x) == 0:
		if a.y.Cmp(b.y) != 0 || a.y.Sign() == 0 {
			return nil // a = −b
		}
		return double(c, a)
	}
	num := new(big.Int).Sub(b.y, a.y)
	den := new(big.Int).Sub(b.x, a.x)
	den.Mod(den, c.P).ModInverse(den, c.P)
	l := num.Mul(num, den)
	l.Mod(l, c.P)
	return line(c, l, a, b.x)
}

func double(c *elliptic.CurveParams, a *point) *point {
	if a == nil || a.y.Sign() == 0 {
		return nil
	}
	num := new(big.Int).Mul(a.x, a.x)
	num.Mul(num, big.NewInt(3)).Sub(num, big.NewInt(3)) // 3x² + a, a = −3
	den := new(big.Int).Lsh(a.y, 1)
	den.Mod(den, c.P).ModInverse(den, c.P)
	l := num.Mul(num, den)
	l.Mod(l, c.P)
	return line(c, l, a, a.x)
}

// line returns the third point on the line of slope l through a and the
// point with x coordinate bx, mirrored: the sum.
func line(c *elliptic.CurveParams, l *big.Int, a *point, bx *big.Int) *point {
	x := new(big.Int).Mul(l, l)
	x.Sub(x, a.x).Sub(x, bx).Mod(x, c.P)
	y := new(big.Int).Sub(a.x, x)
	y.Mul(y, l).Sub(y, a.y).Mod(y, c.P)
	return &point{x, y}
}

func mul(c *elliptic.CurveParams, k *big.Int, a *point) *point {
	var r *point
	for i := k.BitLen() - 1; i >= 0; i-- {
		r = double(c, r)
		if k.Bit(i) == 1 {
			r = add(c, r, a)
		}
	}
	return r
}
