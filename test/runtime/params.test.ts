// The params file format: an exact round trip of every value, a header laid out as documented, and
// a clear error for a file of another model, a truncated file or one that is not a params file.
import { describe, expect, it } from "vitest";
import { AdjointRuntimeError } from "../../runtime/index.ts";
import { decodeParams, encodeParams, readParamsHeader } from "../../runtime/params.ts";
import { thrown } from "../support/build.ts";

const specials = [0, -0, 1 / 3, -1e-310, 5e-324, Infinity, -Infinity, NaN, 1.7976931348623157e308];

function model() {
  return {
    W1: Float64Array.from({ length: 6 }, (_, i) => specials[i] ?? i),
    layer: { b: Float64Array.from(specials.slice(3)), scale: new Float64Array([Math.PI]) },
  };
}
const shapes = {
  W1: { offset: 0, shape: [2, 3] },
  layer: { b: { shape: [6] }, scale: { shape: [] } },
};
function empty() {
  return {
    W1: new Float64Array(6),
    layer: { b: new Float64Array(6), scale: new Float64Array(1) },
  };
}
const same = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  a.length === b.length && Array.from(a).every((v, i) => Object.is(v, b[i]));

describe("round trip", () => {
  it("restores every f64 value bit for bit (−0, subnormals, ±Infinity, NaN)", () => {
    const source = model();
    const target = empty();
    decodeParams(encodeParams(source, shapes), target, shapes);
    expect(same(target.W1, source.W1)).toBe(true);
    expect(same(target.layer.b, source.layer.b)).toBe(true);
    expect(same(target.layer.scale, source.layer.scale)).toBe(true);
  });

  it("restores f32 views exactly, and loads an f32 file into f64 views", () => {
    const source = { w: Float32Array.from([0.1, -2.5, 3e-40, -0]) };
    const bytes = encodeParams(source);
    const f32 = { w: new Float32Array(4) };
    decodeParams(bytes, f32);
    expect(same(f32.w, source.w)).toBe(true);
    const f64 = { w: new Float64Array(4) };
    decodeParams(bytes, f64);
    expect(same(f64.w, Array.from(source.w))).toBe(true);
  });

  it("lays out the header as documented: magic, version, dtype, names, shapes, padding", () => {
    const bytes = encodeParams({ w: new Float64Array([1.5, -2]) }, { w: { shape: [2] } });
    // 12 fixed bytes + name length 2 + "w" 1 + rank 1 + one dim 4 = 20, padded to 24; 2 × 8 values
    expect(bytes.length).toBe(40);
    expect(String.fromCharCode(...bytes.subarray(0, 4))).toBe("ADJP");
    expect([bytes[4], bytes[5]]).toEqual([1, 1]);
    const data = new DataView(bytes.buffer);
    expect(data.getUint16(6, true)).toBe(1);
    expect(data.getUint32(8, true)).toBe(24);
    expect([data.getFloat64(24, true), data.getFloat64(32, true)]).toEqual([1.5, -2]);
    expect(readParamsHeader(bytes)).toEqual({
      version: 1,
      dtype: "f64",
      params: [{ name: "w", shape: [2] }],
      dataOffset: 24,
    });
  });

  it("names nested params by their dotted path, with shapes [length] when none are given", () => {
    const header = readParamsHeader(encodeParams(model()));
    expect(header.params).toEqual([
      { name: "W1", shape: [6] },
      { name: "layer.b", shape: [6] },
      { name: "layer.scale", shape: [1] },
    ]);
  });

  it("reads a file from a byte offset inside a larger buffer", () => {
    const bytes = encodeParams(model(), shapes);
    const padded = new Uint8Array(bytes.length + 3);
    padded.set(bytes, 3);
    const target = empty();
    decodeParams(padded.subarray(3), target, shapes);
    expect(same(target.W1, model().W1)).toBe(true);
  });
});

describe("errors", () => {
  const bytes = encodeParams(model(), shapes);
  /** The error decoding `file` into an empty model throws; the model must stay untouched. */
  function decodeError(file: Uint8Array, into = empty(), intoShapes: object = shapes): Error {
    const error = thrown(() => decodeParams(file, into, intoShapes as typeof shapes));
    expect(error).toBeInstanceOf(AdjointRuntimeError);
    const untouched = [into.W1, into.layer.b, into.layer.scale].every((view) =>
      Array.from(view).every((v) => v === 0),
    );
    expect(untouched, "no view is written when the file is rejected").toBe(true);
    return error;
  }

  it("a param of another shape names the param, the expected and the found shape", () => {
    const other = { ...model(), W1: new Float64Array(6) };
    const file = encodeParams(other, { ...shapes, W1: { shape: [3, 2] } });
    expect(decodeError(file).message).toBe(
      'decodeParams: param "W1" has shape [2,3] here, but [3,2] in the file (a file saved from another model?)',
    );
  });

  it("a param missing from the file, or one the model does not have", () => {
    const { W1, layer } = model();
    const missing = encodeParams({ W1 }, { W1: shapes.W1 });
    expect(decodeError(missing).message).toBe(
      'decodeParams: param "layer.b" is not in the file (it holds W1)',
    );
    const extra = encodeParams({ W1, layer, W2: new Float64Array(2) });
    const target = { W1: new Float64Array(6) };
    const error = thrown(() => decodeParams(extra, target));
    expect(error.message).toBe(
      'decodeParams: the file holds param "layer.b", which is not one of these params (W1)',
    );
  });

  it("a truncated file: too short for a header, or cut inside the header or the values", () => {
    expect(decodeError(bytes.subarray(0, 7)).message).toBe(
      "decodeParams: the file is truncated: 7 bytes, a params file has at least 12",
    );
    expect(decodeError(bytes.subarray(0, 20)).message).toMatch(
      /^decodeParams: the file is truncated: its header needs \d+ bytes, the file has 20$/,
    );
    const cut = bytes.length - 5;
    expect(decodeError(bytes.subarray(0, cut)).message).toBe(
      `decodeParams: the file is truncated: its header describes ${bytes.length} bytes, the file has ${cut}`,
    );
  });

  it("trailing bytes, a wrong magic number and an unknown version", () => {
    const longer = new Uint8Array(bytes.length + 8);
    longer.set(bytes);
    expect(decodeError(longer).message).toBe(
      `decodeParams: the file has trailing bytes: its header describes ${bytes.length} bytes, the file has ${bytes.length + 8}`,
    );
    const png = Uint8Array.from(bytes);
    png.set([0x89, 0x50, 0x4e, 0x47]);
    expect(decodeError(png).message).toBe(
      'decodeParams: not a params file: it starts with 89 50 4e 47, not "ADJP"',
    );
    const future = Uint8Array.from(bytes);
    future[4] = 2;
    expect(decodeError(future).message).toBe(
      "decodeParams: the file is version 2; this runtime reads version 1",
    );
  });

  it("encoding: shapes that do not fit the views, and mixed element types", () => {
    expect(thrown(() => encodeParams(model(), { ...shapes, W1: { shape: [4] } })).message).toBe(
      'encodeParams: param "W1" has shape [4] (4 values) but its view has 6',
    );
    const mixed = { a: new Float64Array(1), b: new Float32Array(1) };
    expect(thrown(() => encodeParams(mixed)).message).toBe(
      'encodeParams: params mix Float32Array and Float64Array views ("b" is f32)',
    );
    const ints = { a: new Int32Array(1) } as unknown as { a: Float64Array };
    expect(thrown(() => encodeParams(ints)).message).toBe(
      'encodeParams: param "a" must be a Float64Array or Float32Array view',
    );
  });
});
