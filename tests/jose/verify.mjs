// Verifies the signatures on PACT footprints served by a Renkei node with the
// `jose` library, independently of Renkei's own JWS and canonical JSON code.
//
//   node verify.mjs FILE
//
// FILE holds {"jwks": <the node's /api/v1/keys>, "footprints": [<documents as served>]}.
// For each footprint: its signature extension's compact JWS must verify under the
// JWK whose kid is in the protected header (alg EdDSA only), the signed payload
// must be the RFC 8785 canonical JSON of the document without that extension, and
// the same JWS with a tampered payload, or under another key of the JWKS, must be
// rejected. One line per footprint;
// exit status 1 when any check fails, 2 for unusable input.
import { readFileSync } from 'node:fs';
import { compactVerify, importJWK, errors } from 'jose';

const kOtherId = '00000000-0000-4000-8000-000000000000';
const kSignatureSchema = 'https://renkei.dev/schemas/signature/1.0.0/data-model.json';

// RFC 8785 for the values these documents hold (strings, finite numbers, booleans,
// null, arrays, objects): members sorted by UTF-16 code units, which is what
// Array.prototype.sort compares; JSON.stringify writes strings and numbers as the
// RFC requires.
function canonical(value) {
  if (Array.isArray(value)) return '[' + value.map(canonical).join(',') + ']';
  if (value !== null && typeof value === 'object') {
    const members = Object.keys(value)
      .sort()
      .map((k) => JSON.stringify(k) + ':' + canonical(value[k]));
    return '{' + members.join(',') + '}';
  }
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new Error('a number that JSON cannot hold');
  }
  return JSON.stringify(value);
}

// The document without the signature extension (and without `extensions` when
// nothing else is left in it), and the JWS that extension carried.
function splitSignature(doc) {
  const copy = structuredClone(doc);
  let jws = null;
  if (Array.isArray(copy.extensions)) {
    const kept = [];
    for (const e of copy.extensions) {
      if (e && typeof e === 'object' && e.dataSchema === kSignatureSchema) {
        jws = e.data && typeof e.data.jws === 'string' ? e.data.jws : '';
      } else {
        kept.push(e);
      }
    }
    if (kept.length === 0) delete copy.extensions;
    else copy.extensions = kept;
  }
  return { unsigned: copy, jws };
}

function base64url(text) {
  return Buffer.from(text, 'utf8').toString('base64url');
}

function headerOf(jws) {
  return JSON.parse(Buffer.from(jws.split('.')[0], 'base64url').toString('utf8'));
}

async function main() {
  if (process.argv.length !== 3) {
    console.error('usage: node verify.mjs FILE');
    return 2;
  }
  let input;
  try {
    input = JSON.parse(readFileSync(process.argv[2], 'utf8'));
  } catch (e) {
    console.error(`cannot read ${process.argv[2]}: ${e.message}`);
    return 2;
  }
  if (!input.jwks || !Array.isArray(input.jwks.keys) || !Array.isArray(input.footprints)) {
    console.error('expected {"jwks": {"keys": [...]}, "footprints": [...]}');
    return 2;
  }
  const keys = new Map();
  for (const jwk of input.jwks.keys) {
    if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.kid !== 'string') {
      console.error(`unexpected JWK ${JSON.stringify(jwk)}`);
      return 2;
    }
    keys.set(jwk.kid, await importJWK(jwk, 'EdDSA'));
  }

  let verified = 0;
  let failed = 0;
  const decoder = new TextDecoder();
  for (const doc of input.footprints) {
    const id = doc && doc.id;
    const fail = (why) => {
      ++failed;
      console.log(`FAIL ${id}: ${why}`);
    };
    const { unsigned, jws } = splitSignature(doc);
    if (jws === null) {
      fail('no signature extension');
      continue;
    }
    let kid;
    try {
      const header = headerOf(jws);
      kid = header.kid;
      if (header.alg !== 'EdDSA') throw new Error(`alg is ${header.alg}`);
    } catch (e) {
      fail(`unreadable protected header: ${e.message}`);
      continue;
    }
    const key = keys.get(kid);
    if (!key) {
      fail(`no key with kid '${kid}' in the JWKS`);
      continue;
    }
    let payload;
    try {
      const result = await compactVerify(jws, key, { algorithms: ['EdDSA'] });
      payload = decoder.decode(result.payload);
    } catch (e) {
      fail(`jose rejects the signature: ${e.code || e.message}`);
      continue;
    }
    const expected = canonical(unsigned);
    if (payload !== expected) {
      fail('the signed payload is not the canonical JSON of the document');
      continue;
    }
    // The same signature over a changed document must not verify.
    const changed = JSON.parse(expected);
    changed.id = id === kOtherId ? 'x' : kOtherId;
    const [header, , signature] = jws.split('.');
    const forged = `${header}.${base64url(canonical(changed))}.${signature}`;
    try {
      await compactVerify(forged, key, { algorithms: ['EdDSA'] });
      fail('jose accepts the signature over a tampered payload');
      continue;
    } catch (e) {
      if (!(e instanceof errors.JWSSignatureVerificationFailed)) {
        fail(`tampered payload rejected for the wrong reason: ${e.code || e.message}`);
        continue;
      }
    }
    // And no other organization's key verifies it.
    const other = [...keys.entries()].find(([k]) => k !== kid);
    if (other) {
      try {
        await compactVerify(jws, other[1], { algorithms: ['EdDSA'] });
        fail(`the key of '${other[0]}' verifies it too`);
        continue;
      } catch (e) {
        if (!(e instanceof errors.JWSSignatureVerificationFailed)) {
          fail(`another key rejected for the wrong reason: ${e.code || e.message}`);
          continue;
        }
      }
    }
    ++verified;
    const products = Array.isArray(doc.productIds) ? doc.productIds.join(' ') : '';
    console.log(`ok ${id} ${kid} ${products} (tampered copy and other key rejected)`);
  }
  console.log(`verified ${verified} of ${input.footprints.length} footprints, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

process.exitCode = await main();
