// A small self-describing file format for trained params: a header naming every param with its
// shape, then the values little-endian. Bytes in, bytes out: file IO is the application's.
//
//   "ADJP"  magic (4 bytes)
//   u8      version (1)
//   u8      dtype: 1 = f64, 2 = f32
//   u16     number of params
//   u32     header length in bytes (where the values start, a multiple of 8)
//   per param: u16 name length, the name (ASCII, a dotted path "layer1.W"), u8 rank, u32 per dim
//   zero padding to the header length, then each param's values in header order
import { AdjointRuntimeError } from "./core.ts";

/** Param views as an instance has them: typed arrays, nested by the segments of their names. */
export interface ParamViews {
  readonly [name: string]: Float64Array | Float32Array | ParamViews;
}

/**
 * The same tree as the keys of `T`, so a generated params interface (`MnistParams`, which has no
 * index signature) is accepted as it is: `encodeParams(mnist.params)`.
 */
export type ParamTree<T> = {
  readonly [K in keyof T]: Float64Array | Float32Array | ParamTree<T[K]>;
};

/** Shapes nested like the views, as a generated module's layout lists them (`mnistLayout.params`). */
export interface ParamShapes {
  readonly [name: string]: { readonly shape: readonly number[] } | ParamShapes;
}

/** A param as the file describes it. */
export interface ParamEntry {
  readonly name: string;
  readonly shape: readonly number[];
}

export interface ParamsHeader {
  readonly version: number;
  readonly dtype: "f64" | "f32";
  readonly params: readonly ParamEntry[];
  /** Where the values start. */
  readonly dataOffset: number;
}

const magic = [0x41, 0x44, 0x4a, 0x50]; // "ADJP"
const version = 1;
const dtypeCodes = { f64: 1, f32: 2 } as const;
const elementBytes = { f64: 8, f32: 4 } as const;
const fixedHeaderBytes = 12;

interface Flat {
  readonly name: string;
  readonly view: Float64Array | Float32Array;
  readonly shape: readonly number[];
}

/** The params' names, shapes and values as bytes; `shapes` records the shapes (else [length]). */
export function encodeParams<T extends ParamTree<T>>(params: T, shapes?: ParamShapes): Uint8Array {
  const flat = flatten("encodeParams", params as object as ParamViews, shapes);
  const dtype = dtypeOf("encodeParams", flat);
  const descriptor = flat.reduce((n, p) => n + 2 + p.name.length + 1 + 4 * p.shape.length, 0);
  const dataOffset = Math.ceil((fixedHeaderBytes + descriptor) / 8) * 8;
  const valueCount = flat.reduce((n, p) => n + p.view.length, 0);
  const bytes = new Uint8Array(dataOffset + valueCount * elementBytes[dtype]);
  const data = new DataView(bytes.buffer);
  bytes.set(magic, 0);
  data.setUint8(4, version);
  data.setUint8(5, dtypeCodes[dtype]);
  data.setUint16(6, flat.length, true);
  data.setUint32(8, dataOffset, true);
  let at = fixedHeaderBytes;
  for (const { name, shape } of flat) {
    data.setUint16(at, name.length, true);
    for (let i = 0; i < name.length; i++) data.setUint8(at + 2 + i, name.charCodeAt(i));
    at += 2 + name.length;
    data.setUint8(at, shape.length);
    shape.forEach((dim, i) => data.setUint32(at + 1 + 4 * i, dim, true));
    at += 1 + 4 * shape.length;
  }
  at = dataOffset;
  for (const { view } of flat) at = writeValues(data, at, view, dtype);
  return bytes;
}

/**
 * Copies the values in `bytes` into `into` (views nested like an instance's params), after
 * checking that the file holds exactly these params with these shapes (from `shapes`, else their
 * lengths); nothing is written unless every check passes. f32 and f64 files load into either.
 */
export function decodeParams<T extends ParamTree<T>>(
  bytes: Uint8Array,
  into: T,
  shapes?: ParamShapes,
): void {
  const header = readParamsHeader(bytes);
  const targets = flatten("decodeParams", into as object as ParamViews, shapes);
  const byName = new Map(header.params.map((entry) => [entry.name, entry]));
  const names = (list: readonly { name: string }[]) => list.map((p) => p.name).join(", ");
  for (const target of targets) {
    const found = byName.get(target.name);
    if (found === undefined) {
      fail(
        `decodeParams: param "${target.name}" is not in the file (it holds ${names(header.params)})`,
      );
    }
    if (!sameDims(found.shape, target.shape)) {
      fail(
        `decodeParams: param "${target.name}" has shape ${shapeText(target.shape)} here, ` +
          `but ${shapeText(found.shape)} in the file (a file saved from another model?)`,
      );
    }
  }
  const extra = header.params.find((entry) => !targets.some((t) => t.name === entry.name));
  if (extra !== undefined) {
    fail(
      `decodeParams: the file holds param "${extra.name}", which is not one of these params (${names(targets)})`,
    );
  }
  const data = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = header.dataOffset;
  for (const entry of header.params) {
    const view = targets.find((target) => target.name === entry.name)!.view;
    at = readValues(data, at, view, header.dtype);
  }
}

/** The header of a params file: version, dtype, names and shapes; checks that no byte is missing. */
export function readParamsHeader(bytes: Uint8Array): ParamsHeader {
  if (!(bytes instanceof Uint8Array)) fail(`decodeParams: expects a Uint8Array of file bytes`);
  if (bytes.length < fixedHeaderBytes) {
    fail(
      `decodeParams: the file is truncated: ${bytes.length} bytes, a params file has at least ${fixedHeaderBytes}`,
    );
  }
  if (magic.some((byte, i) => bytes[i] !== byte)) {
    const found = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, "0"));
    fail(`decodeParams: not a params file: it starts with ${found.join(" ")}, not "ADJP"`);
  }
  const data = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fileVersion = data.getUint8(4);
  if (fileVersion !== version) {
    fail(`decodeParams: the file is version ${fileVersion}; this runtime reads version ${version}`);
  }
  const dtypeCode = data.getUint8(5);
  const dtype =
    dtypeCode === dtypeCodes.f64 ? "f64" : dtypeCode === dtypeCodes.f32 ? "f32" : undefined;
  if (dtype === undefined) fail(`decodeParams: unknown dtype code ${dtypeCode} in the header`);
  const dataOffset = data.getUint32(8, true);
  if (dataOffset > bytes.length) {
    fail(
      `decodeParams: the file is truncated: its header needs ${dataOffset} bytes, the file has ${bytes.length}`,
    );
  }
  const params = readEntries(data, data.getUint16(6, true), dataOffset);
  const expected =
    dataOffset + params.reduce((n, p) => n + sizeOf(p.shape), 0) * elementBytes[dtype];
  if (bytes.length !== expected) {
    const problem = bytes.length < expected ? "is truncated" : "has trailing bytes";
    fail(
      `decodeParams: the file ${problem}: its header describes ${expected} bytes, the file has ${bytes.length}`,
    );
  }
  return { version: fileVersion, dtype, params, dataOffset };
}

function readEntries(data: DataView, count: number, end: number): ParamEntry[] {
  const entries: ParamEntry[] = [];
  let at = fixedHeaderBytes;
  const need = (bytes: number) => {
    if (at + bytes > end)
      fail(`decodeParams: the header is corrupt: param ${entries.length + 1} runs past it`);
  };
  for (let k = 0; k < count; k++) {
    need(2);
    const length = data.getUint16(at, true);
    need(2 + length + 1);
    let name = "";
    for (let i = 0; i < length; i++) name += String.fromCharCode(data.getUint8(at + 2 + i));
    at += 2 + length;
    const rank = data.getUint8(at);
    need(1 + 4 * rank);
    const shape = Array.from({ length: rank }, (_, i) => data.getUint32(at + 1 + 4 * i, true));
    at += 1 + 4 * rank;
    entries.push({ name, shape });
  }
  return entries;
}

/** Leaves of the views record by dotted name, with their shapes, checked. */
function flatten(op: string, params: ParamViews, shapes: ParamShapes | undefined): Flat[] {
  if (typeof params !== "object" || params === null) {
    fail(`${op}: expects a record of param views (instance.params)`);
  }
  const flat: Flat[] = [];
  const walk = (views: ParamViews, shapeGroup: unknown, path: string) => {
    for (const [key, member] of Object.entries(views)) {
      const name = path === "" ? key : `${path}.${key}`;
      const shapeMember = (shapeGroup as Record<string, unknown> | undefined)?.[key];
      if (member instanceof Float64Array || member instanceof Float32Array) {
        flat.push({ name, view: member, shape: shapeFor(op, name, member, shapes, shapeMember) });
      } else if (typeof member === "object" && member !== null && !ArrayBuffer.isView(member)) {
        walk(member, shapeMember, name);
      } else {
        fail(`${op}: param "${name}" must be a Float64Array or Float32Array view`);
      }
    }
  };
  walk(params, shapes, "");
  for (const { name } of flat) {
    if (!/^[\x20-\x7e]{1,65535}$/.test(name))
      fail(`${op}: param name "${name}" is not plain ASCII`);
  }
  return flat;
}

function shapeFor(
  op: string,
  name: string,
  view: Float64Array | Float32Array,
  shapes: ParamShapes | undefined,
  member: unknown,
): readonly number[] {
  if (shapes === undefined) return [view.length];
  const shape = (member as { shape?: unknown } | undefined)?.shape;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    fail(`${op}: no shape given for param "${name}"`);
  }
  if (shape.length > 255) fail(`${op}: param "${name}" has rank ${shape.length}, at most 255`);
  if (sizeOf(shape) !== view.length) {
    fail(
      `${op}: param "${name}" has shape ${shapeText(shape)} (${sizeOf(shape)} values) but its view has ${view.length}`,
    );
  }
  return shape;
}

function dtypeOf(op: string, flat: readonly Flat[]): "f64" | "f32" {
  const f32 = flat.filter((p) => p.view instanceof Float32Array);
  if (f32.length > 0 && f32.length < flat.length) {
    fail(`${op}: params mix Float32Array and Float64Array views ("${f32[0]!.name}" is f32)`);
  }
  return flat.length > 0 && f32.length === flat.length ? "f32" : "f64";
}

function writeValues(data: DataView, at: number, view: ArrayLike<number>, dtype: "f64" | "f32") {
  for (let i = 0; i < view.length; i++) {
    if (dtype === "f64") data.setFloat64(at + 8 * i, view[i]!, true);
    else data.setFloat32(at + 4 * i, view[i]!, true);
  }
  return at + view.length * elementBytes[dtype];
}

function readValues(
  data: DataView,
  at: number,
  view: Float64Array | Float32Array,
  dtype: "f64" | "f32",
) {
  for (let i = 0; i < view.length; i++) {
    view[i] =
      dtype === "f64" ? data.getFloat64(at + 8 * i, true) : data.getFloat32(at + 4 * i, true);
  }
  return at + view.length * elementBytes[dtype];
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(",")}]`;
}

function fail(message: string): never {
  throw new AdjointRuntimeError(message);
}
