// Buffers of the hand-written code. A typed array of 64 bytes or less made with `new
// Float64Array(n)` lives inside the JS heap, where optimized code must reload its movable base
// pointer on every access (about twice the time of a scalar gradient like W1's); one made over
// its own ArrayBuffer is off-heap, like every view of an Adjoint arena.

export function float64(length: number): Float64Array {
  return new Float64Array(new ArrayBuffer(length * Float64Array.BYTES_PER_ELEMENT));
}

export function int32(length: number): Int32Array {
  return new Int32Array(new ArrayBuffer(length * Int32Array.BYTES_PER_ELEMENT));
}
