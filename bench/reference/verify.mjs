// make bench: times `rounds` argon2id verifications of one PHC string with @node-rs/argon2 (a
// prebuilt binding many TypeScript services use) and prints each time in ms as a JSON array.
// Usage: node verify.mjs ROUNDS (the PHC string and the password come in the environment).
import { verify } from '@node-rs/argon2';

const rounds = Number(process.argv[2] ?? 10);
const hash = process.env.REFERENCE_PHC;
const password = process.env.REFERENCE_PASSWORD;
if (!hash || !password) throw new Error('REFERENCE_PHC and REFERENCE_PASSWORD must be set');

// Warm the binding (its first call loads the native module and maps its memory).
if (!(await verify(hash, password))) throw new Error('the reference did not verify the hash');
const times = [];
for (let i = 0; i < rounds; i += 1) {
  const start = process.hrtime.bigint();
  const ok = await verify(hash, password);
  times.push(Number(process.hrtime.bigint() - start) / 1e6);
  if (!ok) throw new Error('the reference did not verify the hash');
}
console.log(JSON.stringify(times));
