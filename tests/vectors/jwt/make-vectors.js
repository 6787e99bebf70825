#!/usr/bin/env node
// make-vectors.js: mints the JWT test vectors with Node's own crypto, an
// implementation independent of pie's, so that pie's verifier is tested
// against tokens it did not make.  Run it from this directory:
//
//	node make-vectors.js
//
// It writes keys/ (private and public PEM keys, the HMAC secret),
// jwks.json (every public key and the secret as an oct key), and
// cases.json: one entry per token with the code pie must answer (null
// for a token that must be accepted).  The output is committed; tests
// never run this script.  Running it again makes new keys and tokens.
'use strict';
const crypto = require('crypto');
const fs = require('fs');

const NOW = 1767225600;			// 2026-01-01T00:00:00Z
const FAR = 4102444800;			// 2100-01-01T00:00:00Z
const ISS = 'https://issuer.example';
const AUD = 'pie';

fs.mkdirSync('keys', { recursive: true });

const b64u = (buf) => Buffer.from(buf).toString('base64url');
const json64 = (obj) => b64u(JSON.stringify(obj));

// Keys, each written as PEM and exported as a JWK.
const keys = {};
function addKey(kid, type, opts) {
	const kp = crypto.generateKeyPairSync(type, opts);
	fs.writeFileSync(`keys/${kid}.pem`,
	    kp.privateKey.export({ type: 'pkcs8', format: 'pem' }));
	fs.writeFileSync(`keys/${kid}.pub.pem`,
	    kp.publicKey.export({ type: 'spki', format: 'pem' }));
	keys[kid] = kp;
	return Object.assign({ kid }, kp.publicKey.export({ format: 'jwk' }));
}
const jwks = [
	addKey('rsa-1', 'rsa', { modulusLength: 2048 }),
	addKey('rsa-2', 'rsa', { modulusLength: 3072 }),
	addKey('ec-p256', 'ec', { namedCurve: 'P-256' }),
	addKey('ec-p384', 'ec', { namedCurve: 'P-384' }),
	addKey('ec-p521', 'ec', { namedCurve: 'P-521' }),
	addKey('ed-1', 'ed25519', {}),
];

// A printable secret, so the file form and the oct form are the same bytes.
const secret = Buffer.from(b64u(crypto.randomBytes(48)));
fs.writeFileSync('keys/hmac-1.secret', secret + '\n');
jwks.push({ kty: 'oct', kid: 'hmac-1', k: b64u(secret) });
fs.writeFileSync('jwks.json', JSON.stringify({ keys: jwks }, null, 1) + '\n');

const ALGS = {
	RS256: ['rsa-1', 'sha256'], RS384: ['rsa-1', 'sha384'],
	RS512: ['rsa-1', 'sha512'], PS256: ['rsa-1', 'sha256'],
	PS384: ['rsa-2', 'sha384'], PS512: ['rsa-2', 'sha512'],
	ES256: ['ec-p256', 'sha256'], ES384: ['ec-p384', 'sha384'],
	ES512: ['ec-p521', 'sha512'], EdDSA: ['ed-1', null],
	HS256: ['hmac-1', 'sha256'], HS384: ['hmac-1', 'sha384'],
	HS512: ['hmac-1', 'sha512'],
};

// Signs input under alg with the named key; der asks for DER ECDSA.
function sign(alg, kid, input, der) {
	const md = ALGS[alg][1];
	if (alg.startsWith('HS'))
		return crypto.createHmac(md, kid === 'hmac-1' ? secret :
		    fs.readFileSync(`keys/${kid}`)).update(input).digest();
	const key = keys[kid].privateKey;
	const o = { key };
	if (alg.startsWith('PS')) {
		o.padding = crypto.constants.RSA_PKCS1_PSS_PADDING;
		o.saltLength = crypto.constants.RSA_PSS_SALTLEN_DIGEST;
	}
	if (alg.startsWith('ES'))
		o.dsaEncoding = der ? 'der' : 'ieee-p1363';
	return crypto.sign(md, Buffer.from(input), o);
}

function claims(extra) {
	return Object.assign({ sub: 'vector-user', iss: ISS, aud: AUD,
	    iat: NOW, nbf: NOW, exp: FAR,
	    scope: 'assignments:read assignments:write',
	    clients: ['client-1'] }, extra);
}

// A token; o may set header fields, claims, the signing kid or alg.
function mint(alg, o = {}) {
	const kid = o.signKid || ALGS[alg][0];
	const hdr = Object.assign({ alg, typ: 'JWT', kid: ALGS[alg][0] },
	    o.header);
	for (const k of Object.keys(hdr))
		if (hdr[k] === undefined)
			delete hdr[k];
	const h = o.rawHeader !== undefined ? b64u(o.rawHeader) : json64(hdr);
	const p = o.rawPayload !== undefined ? b64u(o.rawPayload) :
	    json64(claims(o.claims));
	const input = `${h}.${p}`;
	const sig = o.sig !== undefined ? o.sig :
	    sign(o.signAlg || alg, kid, input, o.der);
	return `${input}.${b64u(sig)}`;
}

function flip(tok, at) {
	const i = tok.lastIndexOf('.') + 1 + at;
	const c = tok[i] === 'A' ? 'B' : 'A';
	return tok.slice(0, i) + c + tok.slice(i + 1);
}

const cases = [];
const add = (name, token, code) => cases.push({ name, token, code });

for (const alg of Object.keys(ALGS))
	add(`valid_${alg.toLowerCase()}`, mint(alg), null);
add('valid_without_kid_when_one_key_fits', mint('ES384',
    { header: { kid: undefined } }), null);
add('valid_with_aud_array', mint('ES256',
    { claims: { aud: ['other', AUD] } }), null);
add('valid_within_leeway', mint('ES256', { claims: { exp: NOW + 50 } }),
    null);

add('alg_none', `${json64({ alg: 'none', typ: 'JWT' })}.` +
    `${json64(claims())}.`, 'unsupported_algorithm');
add('alg_unknown', mint('RS256', { header: { alg: 'RS1' },
    signAlg: 'RS256' }), 'unsupported_algorithm');
add('hs256_signed_with_rsa_public_key_and_its_kid', mint('HS256',
    { header: { kid: 'rsa-1' }, signKid: 'rsa-1.pub.pem' }),
    'unknown_key');
add('hs256_signed_with_rsa_public_key_no_kid', mint('HS256',
    { header: { kid: undefined }, signKid: 'rsa-1.pub.pem' }),
    'invalid_signature');
for (const alg of ['RS256', 'PS512', 'ES256', 'ES512', 'EdDSA', 'HS256'])
	add(`signature_bit_flip_${alg.toLowerCase()}`, flip(mint(alg), 5),
	    'invalid_signature');
add('es256_signature_in_der_form', mint('ES256', { der: true }),
    'invalid_signature');
{
	const good = mint('ES256');
	const sig = Buffer.from(good.split('.')[2], 'base64url');
	const zr = Buffer.concat([Buffer.alloc(32), sig.subarray(32)]);
	const zs = Buffer.concat([sig.subarray(0, 32), Buffer.alloc(32)]);
	const n = Buffer.from('ffffffff00000000ffffffffffffffffbce6faada7179e84' +
	    'f3b9cac2fc632551', 'hex');
	const rn = Buffer.concat([n, sig.subarray(32)]);
	const base = good.slice(0, good.lastIndexOf('.') + 1);
	add('es256_r_zero', base + b64u(zr), 'invalid_signature');
	add('es256_s_zero', base + b64u(zs), 'invalid_signature');
	add('es256_r_equal_to_order', base + b64u(rn), 'invalid_signature');
	add('es256_signature_too_long', base + b64u(Buffer.concat([sig,
	    Buffer.alloc(1)])), 'invalid_signature');
}
add('es256_alg_with_rsa_kid', mint('ES256', { header: { kid: 'rsa-1' } }),
    'unknown_key');
add('rs256_alg_with_ec_kid', mint('RS256', { header: { kid: 'ec-p256' } }),
    'unknown_key');
add('eddsa_alg_with_hmac_kid', mint('EdDSA', { header: { kid: 'hmac-1' } }),
    'unknown_key');
add('missing_kid_with_two_rsa_keys', mint('RS256',
    { header: { kid: undefined } }), 'unknown_key');
add('unknown_kid', mint('RS256', { header: { kid: 'nope' } }),
    'unknown_key');
add('unknown_crit', mint('RS256', { header: { crit: ['x-ext'],
    'x-ext': 1 } }), 'malformed_token');
add('jwk_in_header', mint('ES256', { header: { jwk: jwks[2] } }),
    'malformed_token');
add('jku_in_header', mint('ES256', { header:
    { jku: 'https://evil.example/jwks' } }), 'malformed_token');
add('x5c_in_header', mint('ES256', { header: { x5c: ['MIIB'] } }),
    'malformed_token');
{
	const t = mint('ES256');
	const [h, p, s] = t.split('.');
	add('payload_with_padding', `${h}.${p}==.${s}`, 'malformed_token');
	add('payload_with_plus', `${h}.+${p.slice(1)}.${s}`,
	    'malformed_token');
	add('signature_with_slash', `${h}.${p}./${s.slice(1)}`,
	    'malformed_token');
	add('trailing_segment', `${t}.${s}`, 'malformed_token');
	add('two_segments', `${h}.${p}`, 'malformed_token');
	add('whitespace_in_token', `${h}.${p.slice(0, 4)} ${p.slice(4)}.${s}`,
	    'malformed_token');
	add('empty_header_segment', `.${p}.${s}`, 'malformed_token');
}
add('header_is_an_array', mint('ES256', { rawHeader: '["ES256"]' }),
    'malformed_token');
add('payload_is_a_string', mint('ES256', { rawPayload: '"claims"' }),
    'malformed_token');
add('payload_is_not_json', mint('ES256', { rawPayload: '{"sub":' }),
    'malformed_token');
add('huge_header', mint('ES256', { header: { pad: 'x'.repeat(3000) } }),
    'malformed_token');
add('missing_exp', mint('ES256', { claims: { exp: undefined } }),
    'malformed_token');
add('exp_is_a_string', mint('ES256', { claims: { exp: String(FAR) } }),
    'malformed_token');
add('expired', mint('ES256', { claims: { exp: NOW - 3600 } }),
    'token_expired');
add('expired_beyond_leeway', mint('RS256', { claims: { exp: NOW + 30 } }),
    'token_expired');
add('expired_and_badly_signed', flip(mint('ES256',
    { claims: { exp: NOW - 3600 } }), 3), 'invalid_signature');
add('not_yet_valid', mint('ES256', { claims: { nbf: NOW + 3600 } }),
    'token_not_yet_valid');
add('issued_in_the_future', mint('EdDSA', { claims: { iat: NOW + 3600 } }),
    'token_not_yet_valid');
add('wrong_issuer', mint('ES256', { claims: { iss: 'https://evil' } }),
    'invalid_issuer');
add('missing_issuer', mint('ES256', { claims: { iss: undefined } }),
    'invalid_issuer');
add('wrong_audience', mint('ES256', { claims: { aud: 'other' } }),
    'invalid_audience');
add('wrong_audience_array', mint('ES256', { claims: { aud: ['a', 'b'] } }),
    'invalid_audience');

// JSON.stringify drops undefined claims, which is what missing_* want.
fs.writeFileSync('cases.json', JSON.stringify({
	now: NOW + 100, leeway: 60, issuer: ISS, audience: AUD, cases,
}, null, 1) + '\n');
console.log(`${cases.length} cases`);
