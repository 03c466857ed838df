/**
 * Reads Kafka's message definitions (`common/message/*.json`) straight out of the
 * kafka-clients jar that `scripts/kafka.sh install` puts in .kafka/libs: a jar is a zip, and
 * its central directory plus raw DEFLATE is all that is needed (no unzip binary).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { inflateRawSync } from 'node:zlib';

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** The kafka-clients jar, preferring 4.4.0; undefined when the jars are not installed. */
export function findKafkaClientsJar(): string | undefined {
  const dir = join(process.env.SHARQ_KAFKA_DIR ?? resolve('.kafka'), 'libs');
  if (!existsSync(dir)) return undefined;
  const jars = readdirSync(dir).filter((f) => /^kafka-clients-[\d.]+\.jar$/.test(f));
  const pick = jars.find((f) => f === 'kafka-clients-4.4.0.jar') ?? jars.sort().at(-1);
  return pick === undefined ? undefined : join(dir, pick);
}

/** Every entry under `prefix`, by name, as text. */
export function readZipEntries(file: string, prefix: string): Map<string, string> {
  const zip = readFileSync(file);
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 65_557); i--) {
    if (zip.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${file}: no zip end-of-central-directory record`);
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  const out = new Map<string, string>();
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(p) !== CENTRAL) throw new Error(`${file}: bad central directory`);
    const method = zip.readUInt16LE(p + 10);
    const compressed = zip.readUInt32LE(p + 20);
    const nameLen = zip.readUInt16LE(p + 28);
    const extraLen = zip.readUInt16LE(p + 30);
    const commentLen = zip.readUInt16LE(p + 32);
    const local = zip.readUInt32LE(p + 42);
    const name = zip.toString('utf8', p + 46, p + 46 + nameLen);
    p += 46 + nameLen + extraLen + commentLen;
    if (!name.startsWith(prefix) || name.endsWith('/')) continue;
    if (zip.readUInt32LE(local) !== LOCAL) throw new Error(`${file}: bad local header for ${name}`);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + compressed);
    out.set(name, (method === 0 ? data : inflateRawSync(data)).toString('utf8'));
  }
  return out;
}

/** Kafka's JSON allows `//` comments; strips them outside string literals. */
export function parseKafkaJson(text: string): unknown {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else out += c;
  }
  return JSON.parse(out);
}
