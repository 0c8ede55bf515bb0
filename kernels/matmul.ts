// The WebAssembly text of the runtime's matmul kernels, f64x2 and f32x4, over one imported memory
// that holds the arena. The summation order of every output element is the generated JS loops'
// (compiler/ops/linalg.ts), so float64 results agree with them bit for bit:
//   - op(B) not transposed, rows below m - m % 4: from 0, add (a·b at p) + (a·b at p + 1) for each
//     pair of steps, then the last step alone when k is odd;
//   - every other element: from 0, add a·b one step at a time, p = 0 .. k - 1.
// Register blocks are 4 rows × 2 vectors: 8 v128 accumulators (16 spilled in a prototype).

interface Lane {
  /** Export suffix: matmulF64, matmulF32. */
  readonly name: "F64" | "F32";
  readonly scalar: "f64" | "f32";
  readonly vector: "f64x2" | "f32x4";
  readonly lanes: number;
  readonly bytes: number;
  readonly shift: number;
  readonly splat: string;
}

const lanesOf: readonly Lane[] = [
  {
    name: "F64",
    scalar: "f64",
    vector: "f64x2",
    lanes: 2,
    bytes: 8,
    shift: 3,
    splat: "v128.load64_splat",
  },
  {
    name: "F32",
    scalar: "f32",
    vector: "f32x4",
    lanes: 4,
    bytes: 4,
    shift: 2,
    splat: "v128.load32_splat",
  },
];

/** Pair order (blocked rows of a product with B untransposed) or one step at a time. */
type Order = "pair" | "step";
/** Rows of B contiguous in memory along j, or gathered lane by lane (B transposed). */
type Reading = "rows" | "gather";

const get = (name: string) => `(local.get $${name})`;
const add = (x: string, y: string) => `(i32.add ${x} ${y})`;
const mul = (x: string, y: string) => `(i32.mul ${x} ${y})`;
const range = (count: number) => Array.from({ length: count }, (_, i) => i);

const tileParams =
  "(param $a i32) (param $ai i32) (param $ap i32) (param $b i32) (param $bp i32) (param $bj i32)" +
  " (param $c i32) (param $ci i32) (param $k i32)";

function tileName(lane: Lane, rows: number, vectors: number, order: Order, reading: Reading) {
  // a one-column tile reads one element of B per step: gathering changes nothing
  const read = vectors === 0 ? "" : `_${reading}`;
  return `$tile${lane.name}_${rows}x${vectors}_${order}${read}`;
}

/**
 * One tile of the output: `rows` rows from $c (row stride $ci) by `vectors` v128 columns (0: one
 * scalar column). A(r, p) is at $a + r·$ai + p·$ap, B(p, j) at $b + p·$bp + j·$bj (bytes).
 */
function tile(lane: Lane, rows: number, vectors: number, order: Order, reading: Reading): string {
  const scalar = vectors === 0;
  const type = scalar ? lane.scalar : "v128";
  const op = scalar ? lane.scalar : lane.vector;
  const accs = range(rows).flatMap((r) => range(Math.max(vectors, 1)).map((v) => `acc${r}_${v}`));
  const columns = scalar ? 1 : vectors * lane.lanes;
  const locals = [
    ...accs.map((acc) => `(local $${acc} ${type})`),
    ...range(rows).map((r) => `(local $a${r} i32)`),
    ...range(Math.max(vectors, 1)).flatMap((v) => [
      `(local $b0_${v} ${type})`,
      `(local $b1_${v} ${type})`,
    ]),
    `(local $x ${type}) (local $y ${type}) (local $p i32) (local $end i32)`,
    `(local $ap2 i32) (local $bp2 i32)`,
    ...(reading === "gather" ? range(columns).map((j) => `(local $g${j} i32)`) : []),
  ];
  // element j of op(B)'s row at the address in $at (bytes), as a v128 or a scalar
  const loadB = (at: string, v: number): string => {
    if (scalar) return `(${lane.scalar}.load ${at})`;
    if (reading === "rows") return `(v128.load offset=${v * 16} align=${lane.bytes} ${at})`;
    const first = v * lane.lanes;
    return range(lane.lanes - 1).reduce(
      (vec, l) =>
        `(${lane.vector}.replace_lane ${l + 1} ${vec} (${lane.scalar}.load ${add(at, get(`g${first + l + 1}`))}))`,
      `(${lane.splat} ${add(at, get(`g${first}`))})`,
    );
  };
  const loadA = (at: string) => (scalar ? `(${lane.scalar}.load ${at})` : `(${lane.splat} ${at})`);
  const fadd = (x: string, y: string) => `(${op}.add ${x} ${y})`;
  const fmul = (x: string, y: string) => `(${op}.mul ${x} ${y})`;
  const set = (name: string, value: string) => `(local.set $${name} ${value})`;
  const vs = range(Math.max(vectors, 1));
  // the strides of a pair of steps ($ap2, $bp2) are hoisted out of the loop
  const advance = (steps: number) => [
    ...range(rows).map((r) => set(`a${r}`, add(get(`a${r}`), get(steps === 2 ? "ap2" : "ap")))),
    set("b", add(get("b"), get(steps === 2 ? "bp2" : "bp"))),
    set("p", add(get("p"), `(i32.const ${steps})`)),
  ];
  const single = [
    ...vs.map((v) => set(`b0_${v}`, loadB(get("b"), v))),
    ...range(rows).flatMap((r) => [
      set("x", loadA(get(`a${r}`))),
      ...vs.map((v) =>
        set(`acc${r}_${v}`, fadd(get(`acc${r}_${v}`), fmul(get("x"), get(`b0_${v}`)))),
      ),
    ]),
  ];
  const pair = [
    ...vs.flatMap((v) => [
      set(`b0_${v}`, loadB(get("b"), v)),
      set(`b1_${v}`, loadB(add(get("b"), get("bp")), v)),
    ]),
    ...range(rows).flatMap((r) => [
      set("x", loadA(get(`a${r}`))),
      set("y", loadA(add(get(`a${r}`), get("ap")))),
      ...vs.map((v) =>
        set(
          `acc${r}_${v}`,
          fadd(
            get(`acc${r}_${v}`),
            fadd(fmul(get("x"), get(`b0_${v}`)), fmul(get("y"), get(`b1_${v}`))),
          ),
        ),
      ),
    ]),
  ];
  const loop = (body: readonly string[], steps: number) => [
    `(block $done (loop $next`,
    `(br_if $done (i32.ge_u ${get("p")} ${get("end")}))`,
    ...body,
    ...advance(steps),
    `(br $next)))`,
  ];
  const steps =
    order === "pair"
      ? [
          set("end", `(i32.and ${get("k")} (i32.const -2))`),
          set("ap2", `(i32.shl ${get("ap")} (i32.const 1))`),
          set("bp2", `(i32.shl ${get("bp")} (i32.const 1))`),
          ...loop(pair, 2),
          `(if (i32.and ${get("k")} (i32.const 1)) (then`,
          ...single,
          `))`,
        ]
      : [set("end", get("k")), ...loop(single, 1)];
  const stores = range(rows).flatMap((r) =>
    vs.map((v) => {
      const at = add(get("c"), mul(get("ci"), `(i32.const ${r})`));
      return scalar
        ? `(${lane.scalar}.store ${at} ${get(`acc${r}_0`)})`
        : `(v128.store offset=${v * 16} align=${lane.bytes} ${at} ${get(`acc${r}_${v}`)})`;
    }),
  );
  const zero = scalar ? `(${lane.scalar}.const 0)` : `(v128.const i64x2 0 0)`;
  return [
    `(func ${tileName(lane, rows, vectors, order, reading)} ${tileParams}`,
    ...locals,
    ...accs.map((acc) => set(acc, zero)),
    ...range(rows).map((r) => set(`a${r}`, add(get("a"), mul(get("ai"), `(i32.const ${r})`)))),
    ...(reading === "gather"
      ? range(columns).map((j) => set(`g${j}`, mul(get("bj"), `(i32.const ${j})`)))
      : []),
    ...steps,
    ...stores,
    `)`,
  ].join("\n");
}

/** The tiles across `rows` rows of the output: 2-vector tiles, then one vector, then columns. */
function rowsFunction(lane: Lane, rows: number, order: Order, reading: Reading): string {
  const call = (vectors: number) =>
    `(call ${tileName(lane, rows, vectors, order, reading)} ${get("a")} ${get("ai")} ${get("ap")}` +
    ` ${add(get("b"), mul(get("j"), get("bj")))} ${get("bp")} ${get("bj")}` +
    ` ${add(get("c"), `(i32.shl ${get("j")} (i32.const ${lane.shift}))`)} ${get("ci")} ${get("k")})`;
  const width = (vectors: number) => `(i32.const ${vectors * lane.lanes})`;
  return [
    `(func $rows${lane.name}_${rows}_${order}_${reading} ${tileParams} (param $n i32) (local $j i32)`,
    `(block $wide (loop $next`,
    `(br_if $wide (i32.gt_u ${add(get("j"), width(2))} ${get("n")}))`,
    call(2),
    `(local.set $j ${add(get("j"), width(2))})`,
    `(br $next)))`,
    `(if (i32.le_u ${add(get("j"), width(1))} ${get("n")}) (then`,
    call(1),
    `(local.set $j ${add(get("j"), width(1))})))`,
    `(block $narrow (loop $column`,
    `(br_if $narrow (i32.ge_u ${get("j")} ${get("n")}))`,
    call(0),
    `(local.set $j ${add(get("j"), "(i32.const 1)")})`,
    `(br $column)))`,
    `)`,
  ].join("\n");
}

/**
 * The export: out[m×n] = op(A)·op(B), every argument an element offset into the arena. Rows in
 * blocks of four (pair order unless B is transposed, as the JS loops), then the rest one by one.
 */
function entry(lane: Lane): string {
  const bytes = `(i32.const ${lane.bytes})`;
  const rowsCall = (rows: number, order: Order, reading: Reading) =>
    `(call $rows${lane.name}_${rows}_${order}_${reading} ${add(get("a"), mul(get("i"), get("ai")))}` +
    ` ${get("ai")} ${get("ap")} ${get("b")} ${get("bp")} ${get("bj")}` +
    ` ${add(get("c"), mul(get("i"), get("ci")))} ${get("ci")} ${get("k")} ${get("n")})`;
  const rowLoop = (label: string, end: string, rows: number, order: Order, reading: Reading) => [
    `(block $${label} (loop $${label}_next`,
    `(br_if $${label} (i32.ge_u ${get("i")} ${end}))`,
    rowsCall(rows, order, reading),
    `(local.set $i ${add(get("i"), `(i32.const ${rows})`)})`,
    `(br $${label}_next)))`,
  ];
  const blocked = `(i32.and ${get("m")} (i32.const -4))`;
  const shift = (name: string) =>
    `(local.set $${name} (i32.shl ${get(name)} (i32.const ${lane.shift})))`;
  return [
    `(func (export "matmul${lane.name}") (param $a i32) (param $b i32) (param $c i32)` +
      ` (param $m i32) (param $k i32) (param $n i32) (param $transA i32) (param $transB i32)`,
    `(local $ai i32) (local $ap i32) (local $bp i32) (local $bj i32) (local $ci i32) (local $i i32)`,
    shift("a"),
    shift("b"),
    shift("c"),
    `(local.set $ai (select ${bytes} ${mul(get("k"), bytes)} ${get("transA")}))`,
    `(local.set $ap (select ${mul(get("m"), bytes)} ${bytes} ${get("transA")}))`,
    `(local.set $bp (select ${bytes} ${mul(get("n"), bytes)} ${get("transB")}))`,
    `(local.set $bj (select ${mul(get("k"), bytes)} ${bytes} ${get("transB")}))`,
    `(local.set $ci ${mul(get("n"), bytes)})`,
    `(if ${get("transB")} (then`,
    ...rowLoop("blockedT", blocked, 4, "step", "gather"),
    ...rowLoop("restT", get("m"), 1, "step", "gather"),
    `) (else`,
    ...rowLoop("blocked", blocked, 4, "pair", "rows"),
    ...rowLoop("rest", get("m"), 1, "step", "rows"),
    `))`,
    `)`,
  ].join("\n");
}

/** The whole module: its memory is imported, so each instance of a program brings its arena. */
export function matmulWat(): string {
  const variants: readonly [number, Order, Reading][] = [
    [4, "pair", "rows"],
    [1, "step", "rows"],
    [4, "step", "gather"],
    [1, "step", "gather"],
  ];
  const functions = lanesOf.flatMap((lane) => {
    const scalarTiles = new Set<string>();
    const tiles = variants.flatMap(([rows, order, reading]) =>
      [2, 1, 0].flatMap((vectors) => {
        const name = tileName(lane, rows, vectors, order, reading);
        if (scalarTiles.has(name)) return [];
        scalarTiles.add(name);
        return [tile(lane, rows, vectors, order, reading)];
      }),
    );
    return [
      ...tiles,
      ...variants.map(([rows, order, reading]) => rowsFunction(lane, rows, order, reading)),
      entry(lane),
    ];
  });
  return [
    `;; Generated by kernels/matmul.ts (npm run kernels); do not edit.`,
    `(module`,
    `(import "env" "memory" (memory 1))`,
    ...functions,
    `)`,
    ``,
  ].join("\n");
}
