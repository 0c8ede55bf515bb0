// An application's use of the runtime, type-checked under the strictest common settings with the
// generated modules (npm run check:strict): the runtime's published types and generated code together.
import { Rng } from "@adjoint/runtime/random";
import { heNormal } from "@adjoint/runtime/init";
import { decodeParams, encodeParams } from "@adjoint/runtime/params";
import { AdjointRuntimeError, runtimeVersion } from "@adjoint/runtime";
import { createMnist, mnistLayout } from "../../generated/mnist.js";
import { createQuadratic } from "../../generated/quadratic.js";

const quadratic = createQuadratic();
const f: number = quadratic.value({ x: 3, y: 4 }).f[0] ?? Number.NaN;

const mnist = createMnist();
heNormal(mnist.params.W1, mnistLayout.params.W1.shape, new Rng(1));
// a generated params object as it is, with and without its layout's shapes
const saved: Uint8Array = encodeParams(mnist.params);
decodeParams(encodeParams(mnist.params, mnistLayout.params), mnist.params, mnistLayout.params);
decodeParams(saved, mnist.params);

export const checked: readonly unknown[] = [f, runtimeVersion, AdjointRuntimeError];
