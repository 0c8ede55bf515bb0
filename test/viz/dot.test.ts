// Pictures of the graph: DOT text (one node per graph node, adjoint nodes styled apart, labels with
// op and shape, escaping), its SVG rendering through WebAssembly Graphviz, and `compile --svg --dot`.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { program } from "../../compiler/index.ts";
import { loadProgram } from "../../compiler/cli/compile.ts";
import { graphDot, quote } from "../../compiler/viz/dot.ts";
import { renderSvg } from "../../compiler/viz/svg.ts";

/** f(x, y) = x²y + y + 2 and its gradient: the textbook's reverse-mode figure. */
const quadratic = () =>
  program("quadratic", (g) => {
    const x = g.input("x");
    const y = g.input("y");
    const f = g.add(g.add(g.mul(g.mul(x, x), y), y), 2);
    const [df_dx, df_dy] = g.grad(f, [x, y]);
    g.entry("grad", { fetch: { f, df_dx, df_dy } });
  });

const nodeLines = (dot: string) => dot.split("\n").filter((line) => /^ {2}n\d+ \[/.test(line));
const adjointLines = (dot: string) => nodeLines(dot).filter((line) => line.includes("#f8d0d0"));

describe("graphDot", () => {
  it("draws the quadratic's 13 nodes, the 5 adjoint nodes in red", () => {
    const p = quadratic();
    const dot = graphDot(p);
    // forward: x, y, x·x, x·x·y, +y, the constant 2, +2; the seed 1; adjoints (by hand):
    // ȳ·y and ȳ·x² (mul), (ȳ·y)·x (mul), y_bar = ȳ + ȳ·x² (add), x_bar = x·ȳy + x·ȳy (add)
    expect(nodeLines(dot)).toHaveLength(13);
    expect(p.graph.nodes).toHaveLength(13);
    const adjoints = adjointLines(dot);
    expect(adjoints).toHaveLength(5);
    expect(p.graph.nodes.filter((node) => p.graph.origin(node).role === "adjoint")).toHaveLength(5);
    expect(adjoints.filter((line) => line.includes("\\nmul f64[]"))).toHaveLength(3);
    expect(adjoints.filter((line) => line.includes("\\nadd f64[]"))).toHaveLength(2);
    expect(dot).toContain('n0 [label="x\\ninput f64[]", shape=box');
    expect(dot).toContain('label="x_bar\\nadd f64[]\\nout: df_dx"');
    expect(dot).toContain('label="y_bar\\nadd f64[]\\nout: df_dy"');
    expect(dot).toContain('n5 [label="2", shape=plaintext');
    // one edge per operand: x·x reads x twice, x_bar adds the same partial twice
    expect(dot.match(/ -> /g)).toHaveLength(
      p.graph.nodes.reduce((total, node) => total + node.inputs.length, 0),
    );
    expect(dot).toContain("  n0 -> n2;\n  n0 -> n2;\n");
    expect(dot).toContain('  n10 -> n12 [color="#c00000"];');
  });

  it("labels tensors with op, shape and attributes, tangents in blue, constants compactly", () => {
    const p = program("tensors", (g) => {
      const x = g.input("x", [2, 3]);
      const w = g.param("w", [3]);
      const loss = g.sum(g.mul(g.mul(x, w), g.constant([1, 2, 3, 4, 5, 6], [2, 3])));
      const [loss_dot] = g.jvp([loss], [w], [g.constant(1, [3])]);
      g.entry("run", { fetch: { loss, loss_dot, w_bar: g.grad(loss, w) } });
    });
    const dot = graphDot(p);
    expect(dot).toContain('label="w\\nparam f64[3]", shape=box');
    expect(dot).toContain('\\nmul f64[2,3]", shape=ellipse');
    expect(dot).toContain('\\nsum f64[]\\naxes=[0,1] keepDims=false\\nout: loss"');
    expect(dot).toContain('label="1 f64[3]", shape=plaintext');
    expect(dot).toContain('label="[1, 2, 3, 4, …] f64[2,3]", shape=plaintext');
    const tangents = nodeLines(dot).filter((line) => line.includes("#d0e0f8"));
    expect(tangents.length).toBe(
      p.graph.nodes.filter((n) => p.graph.origin(n).role === "tangent").length,
    );
    expect(tangents.some((line) => line.includes("out: loss_dot"))).toBe(true);
  });

  it("draws only the chosen entry points, and names the entries when one is unknown", () => {
    const p = program("two", (g) => {
      const x = g.input("x");
      g.entry("value", { fetch: { y: g.exp(x) } });
      g.entry("other", { fetch: { z: g.sin(x) } });
    });
    const dot = graphDot(p, { entries: ["value"] });
    expect(nodeLines(dot)).toHaveLength(2);
    expect(dot).toContain("exp f64[]");
    expect(dot).not.toContain("sin");
    expect(() => graphDot(p, { entries: ["nope"] })).toThrow(
      'program "two" has no entry "nope" (entries: value, other)',
    );
  });

  it("escapes quotes, backslashes and line breaks so a crafted label stays one label", async () => {
    expect(quote('a"b\\c\nd\r\ne\u0007')).toBe('"a\\"b\\\\c\\nd\\ne"');
    const p = quadratic();
    const crafted = 'evil"]; n0 -> n1; x [label="\\N\n}';
    p.graph.label(p.graph.nodes[2], crafted);
    const dot = graphDot(p);
    expect(dot).toContain('n2 [label="evil\\"]; n0 -> n1; x [label=\\"\\\\N\\n}\\nmul f64[]"');
    expect(nodeLines(dot)).toHaveLength(13);
    // Graphviz reads it as 13 nodes and the text survives verbatim (XML-escaped) in the SVG
    const svg = await renderSvg(dot);
    expect(svg.match(/class="node"/g)).toHaveLength(13);
    expect(svg).toContain("evil&quot;]; n0 &#45;&gt; n1; x [label=&quot;\\N");
  });

  it("is deterministic: two builds give the same DOT, two renderings the same SVG", async () => {
    const dot = graphDot(quadratic());
    expect(graphDot(quadratic())).toBe(dot);
    expect(await renderSvg(dot)).toBe(await renderSvg(dot));
  });
});

describe("renderSvg", () => {
  it("renders an SVG document with every node and its label", async () => {
    const svg = await renderSvg(graphDot(quadratic()));
    expect(svg.startsWith("<?xml")).toBe(true);
    expect(svg).toContain("<svg");
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    expect(svg.match(/class="node"/g)).toHaveLength(13);
    expect(svg.match(/fill="#f8d0d0"/g)).toHaveLength(5);
    for (const text of ["x_bar", "y_bar", "input f64[]", "mul f64[]", "add f64[]", "out: df_dx"]) {
      expect(svg).toContain(`>${text}</text>`);
    }
  });
});

describe("adjoint compile --svg --dot", () => {
  it("writes DIR/<name>.svg and DIR/<name>.dot of the program as built", async () => {
    const root = fileURLToPath(new URL("../../", import.meta.url));
    mkdirSync(path.join(root, ".vitest-tmp"), { recursive: true });
    const tmp = path.relative(root, mkdtempSync(path.join(root, ".vitest-tmp", "viz-")));
    const svgDir = path.join(tmp, "pictures", "svg");
    const dotDir = path.join(tmp, "dot");
    const args = ["compile", "examples/exp_chain.graph.ts", "--out", path.join(tmp, "out")];
    const run = await node(root, [...args, "--svg", svgDir, "--dot", dotDir]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const svgFile = path.join(svgDir, "exp_chain.svg");
    const dotFile = path.join(dotDir, "exp_chain.dot");
    expect(run.stdout).toContain(`wrote ${dotFile}\nwrote ${svgFile}\n`);
    const dot = readFileSync(path.join(root, dotFile), "utf8");
    expect(dot).toBe(graphDot(await loadProgram(path.join(root, "examples/exp_chain.graph.ts"))));
    expect(readFileSync(path.join(root, svgFile), "utf8")).toBe(await renderSvg(dot));
  });
});

function node(cwd: string, args: readonly string[]) {
  const cli = path.join(cwd, "compiler", "cli", "adjoint.mjs");
  return new Promise<{ status: number | null; stdout: string; stderr: string }>(
    (resolve, reject) => {
      const child = spawn(process.execPath, [cli, ...args], { cwd });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.on("error", reject);
      child.on("close", (status) => resolve({ status, stdout, stderr }));
    },
  );
}

/** The DOT text as a tree: each `subgraph "cluster_…" {` a child holding its own lines. */
interface Cluster {
  readonly label: string;
  readonly lines: string[];
  readonly children: Cluster[];
}

function clusterTree(dot: string): Cluster {
  const root: Cluster = { label: "", lines: [], children: [] };
  const stack = [root];
  for (const line of dot.split("\n").slice(1)) {
    const text = line.trim();
    if (text === "") continue;
    if (text.startsWith("subgraph ")) {
      const child: Cluster = { label: "", lines: [], children: [] };
      stack[stack.length - 1].children.push(child);
      stack.push(child);
    } else if (text === "}") stack.pop();
    else {
      const label = /^label="([^"]*)"; style=rounded/.exec(text);
      const top = stack[stack.length - 1];
      if (label !== null) (top as { label: string }).label = label[1];
      else top.lines.push(text);
    }
  }
  return root;
}

const declared = (cluster: Cluster) => cluster.lines.filter((line) => /^"?n[\w]*"? \[/.test(line));

describe("graphDot of loops", () => {
  // a scan of 4 steps whose body holds a scan of 2 steps and a cond on the inner result
  const nested = () =>
    program("nested", (g) => {
      const x = g.input("x", [3]);
      const [y] = g.scan(
        (c) => {
          const [inner] = g.scan((d) => [g.sin(d), []], c, undefined, { length: 2 });
          return [
            g.cond(
              g.gt(g.sum(inner), 0),
              () => g.mul(inner, 2),
              () => inner,
            ),
            [],
          ];
        },
        x,
        undefined,
        { length: 4 },
      );
      g.entry("f", { fetch: { y } });
    });

  it("draws a scan's body as a cluster, a nested scan nested, a cond's branches as two", () => {
    const tree = clusterTree(graphDot(nested()));
    expect(tree.children).toHaveLength(1);
    const outer = tree.children[0];
    expect(outer.label).toMatch(/^scan body \(4 steps\) of %\d+$/);
    // the body's carry is its one param; the inner scan and the cond are its loops
    expect(declared(outer).filter((line) => line.includes("\\nparam 0"))).toHaveLength(1);
    expect(outer.children.map((child) => child.label.replace(/ of %\d+$/, ""))).toEqual([
      "scan body (2 steps)",
      "cond: when true",
      "cond: when false",
    ]);
    const [inner, whenTrue, whenFalse] = outer.children;
    // the inner body: its carry d (param 0) and sin(d) (result 0), one edge between them
    expect(declared(inner)).toHaveLength(2);
    expect(declared(inner)[0]).toContain("input f64[3]\\nparam 0");
    expect(declared(inner)[1]).toContain("sin f64[3]\\nresult 0");
    expect(inner.lines.filter((line) => line.includes(" -> "))).toHaveLength(1);
    expect(inner.children).toHaveLength(0);
    // when true: its captured value, the constant 2 and their product; when false: the value itself
    expect(declared(whenTrue).map((line) => /\\n(\w+) f64/.exec(line)?.[1] ?? "const")).toEqual([
      "input",
      "const",
      "mul",
    ]);
    expect(declared(whenFalse)).toHaveLength(1);
    expect(declared(whenFalse)[0]).toContain("param 0, result 0");
    // every node id in the picture is declared once: each body keeps its own numbering apart
    const ids = [tree, outer, inner, whenTrue, whenFalse].flatMap((cluster) =>
      declared(cluster).map((line) => line.split(" [")[0]),
    );
    expect(new Set(ids).size).toBe(ids.length);
    // the loop nodes carry no region attribute text
    expect(graphDot(nested())).not.toContain("[object Object]");
  });

  it("renders the clusters to SVG", async () => {
    const svg = await renderSvg(graphDot(nested()));
    expect(svg.match(/<g id="clust\d+" class="cluster">/g)).toHaveLength(4);
    expect(svg).toContain("scan body (2 steps)");
  });
});
