#!/usr/bin/env node
// Verifies an Open Badges 3.0 credential secured as a VC-JWT the way any verifier can: with the
// keys the issuer publishes and nothing else of Tessera's. Node's own WebCrypto and zlib; no
// packages.
//
//   node scripts/verify-badge.mjs badge.jwt            # a file holding the JWT
//   node scripts/verify-badge.mjs <the badge's URL>    # fetched with Accept: application/vc+jwt
//
// 1. The signature: the header's `kid` is `<JWK Set URL>#<key id>`; the key is fetched from that
//    set and the ES256 signature checked against it.
// 2. The dates: `nbf` and `exp` against now (an expired credential stays genuine).
// 3. The status: the Bitstring Status List credential its `credentialStatus` names, itself
//    verified the same way, read at the credential's entry (its `statusMessage` says what the
//    value means).
// Prints the findings as JSON; exits 1 when a signature does not verify.

import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";

const JWT = "application/vc+jwt";

async function fetchOk(url, accept) {
  const response = await fetch(url, { headers: { accept } });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return response;
}

/** The JWT's claims once its signature verifies against the key its header names. */
async function verifiedClaims(jwt) {
  const [header64, payload64, signature64] = jwt.trim().split(".");
  const header = JSON.parse(Buffer.from(header64, "base64url"));
  if (header.alg !== "ES256") throw new Error(`unexpected algorithm ${header.alg}`);
  const [setUrl, keyId] = header.kid.split("#");
  const set = await (await fetchOk(setUrl, "application/json")).json();
  const jwk = set.keys.find((key) => key.kid === keyId);
  if (!jwk) throw new Error(`${keyId} is not published at ${setUrl}`);
  const key = await crypto.subtle.importKey(
    "jwk",
    { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y },
    { name: "ECDSA", namedCurve: "P-256" },
    false,
    ["verify"],
  );
  const valid = await crypto.subtle.verify(
    { name: "ECDSA", hash: "SHA-256" },
    key,
    Buffer.from(signature64, "base64url"),
    Buffer.from(`${header64}.${payload64}`),
  );
  if (!valid) throw new Error("the signature does not verify");
  return { claims: JSON.parse(Buffer.from(payload64, "base64url")), key: header.kid };
}

/** What the status list says of `entry` (W3C Bitstring Status List). */
async function statusOf(entry) {
  const list = await fetchOk(entry.statusListCredential, JWT);
  const { claims } = await verifiedClaims(await list.text());
  const encoded = claims.credentialSubject.encodedList;
  if (!encoded.startsWith("u")) throw new Error("the list is not multibase base64url");
  const bits = gunzipSync(Buffer.from(encoded.slice(1), "base64url"));
  const size = entry.statusSize ?? 1;
  let value = 0;
  for (let i = 0; i < size; i++) {
    const position = Number(entry.statusListIndex) * size + i;
    value = (value << 1) | ((bits[position >> 3] >> (7 - (position & 7))) & 1);
  }
  const message = (entry.statusMessage ?? []).find((m) => Number(m.status) === value);
  return message ? message.message : value === 0 ? "active" : entry.statusPurpose;
}

const source = process.argv[2];
if (!source) {
  console.error("usage: node scripts/verify-badge.mjs <badge.jwt | badge URL>");
  process.exit(2);
}
try {
  const jwt = source.startsWith("http")
    ? await (await fetchOk(source, JWT)).text()
    : readFileSync(source, "utf8");
  const { claims, key } = await verifiedClaims(jwt);
  const now = Math.floor(Date.now() / 1000);
  const findings = {
    signature: "valid",
    key,
    credential: claims.id,
    issuer: claims.issuer?.name ?? claims.iss,
    achievement: claims.credentialSubject?.achievement?.name,
    validFrom: claims.validFrom,
    validUntil: claims.validUntil ?? null,
    expired: claims.exp !== undefined && claims.exp <= now,
    status: claims.credentialStatus ? await statusOf(claims.credentialStatus) : "none",
  };
  console.log(JSON.stringify(findings));
} catch (error) {
  console.log(JSON.stringify({ signature: "invalid", error: error.message }));
  process.exit(1);
}
