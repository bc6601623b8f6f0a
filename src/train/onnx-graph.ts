/**
 * A small ONNX graph builder: named float32 constants, nodes whose outputs get fresh names, and
 * the encoding of the whole as a ModelProto (src/train/onnx-proto.ts). The exporter
 * (export-onnx.ts) describes the network with it; nothing here knows about Group-Net.
 */
import {
  ATTRIBUTE_FLOAT,
  ATTRIBUTE_INT,
  ATTRIBUTE_INTS,
  ATTRIBUTE_STRING,
  ModelProto,
  ONNX_FLOAT,
  ONNX_INT64,
  ONNX_IR_VERSION,
  ONNX_OPSET,
} from './onnx-proto.js';

/** A node attribute: a number (`int` when integral and `float: false`), a list of ints, or a string. */
export type AttributeValue = number | number[] | string | { float: number };

interface NodeRecord {
  opType: string;
  name: string;
  input: string[];
  output: string[];
  attribute: object[];
}

interface TensorRecord {
  name: string;
  dims: number[];
  dataType: number;
  rawData: Uint8Array;
}

/** A graph input or output: a float32 tensor; a string dimension is symbolic (e.g. the batch `N`). */
export interface ValueSpec {
  name: string;
  shape: (number | string)[];
}

export interface ModelSpec {
  inputs: ValueSpec[];
  outputs: ValueSpec[];
  producerVersion: string;
  docString: string;
  /** Shown by viewers such as Netron and readable through onnxruntime's `metadata`. */
  metadata: Record<string, string>;
}

function attribute(name: string, value: AttributeValue): object {
  if (typeof value === 'string') return { name, type: ATTRIBUTE_STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: ATTRIBUTE_INTS, ints: value };
  if (typeof value === 'object') return { name, type: ATTRIBUTE_FLOAT, f: value.float };
  if (!Number.isInteger(value)) throw new RangeError(`attribute ${name}: ${value} is not an integer; pass { float: ${value} }`);
  return { name, type: ATTRIBUTE_INT, i: value };
}

function valueInfo(v: ValueSpec): object {
  return {
    name: v.name,
    type: {
      tensorType: { elemType: ONNX_FLOAT, shape: { dim: v.shape.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } },
    },
  };
}

export class OnnxGraph {
  private readonly nodes: NodeRecord[] = [];
  private readonly initializers: TensorRecord[] = [];
  private readonly used = new Set<string>();

  /** A name not used yet, from `hint` (dots and slashes kept: they read well in viewers). */
  private fresh(hint: string): string {
    let name = hint;
    for (let i = 1; this.used.has(name); i++) name = `${hint}_${i}`;
    this.used.add(name);
    return name;
  }

  /** A float32 constant of shape `dims` (row-major data); returns its name. */
  constant(hint: string, data: ArrayLike<number>, dims: number[]): string {
    const values = Float32Array.from(data);
    const size = dims.reduce((a, b) => a * b, 1);
    if (values.length !== size) throw new RangeError(`constant ${hint}: ${values.length} values for shape [${dims.join(', ')}]`);
    const name = this.fresh(hint);
    this.initializers.push({ name, dims, dataType: ONNX_FLOAT, rawData: littleEndian(values) });
    return name;
  }

  /** An int64 constant (shapes, axes, slice bounds). */
  int64s(hint: string, values: number[]): string {
    const name = this.fresh(hint);
    const data = new BigInt64Array(values.map((v) => BigInt(v)));
    this.initializers.push({ name, dims: [values.length], dataType: ONNX_INT64, rawData: new Uint8Array(data.buffer) });
    return name;
  }

  /** Add a node of `opType` on `inputs`; returns the name of its (first) output. */
  node(opType: string, inputs: string[], hint: string, attributes: Record<string, AttributeValue> = {}, outputs = 1): string {
    return this.nodeOutputs(opType, inputs, hint, attributes, outputs)[0]!;
  }

  /** Like `node`, for operators with several outputs (Split). */
  nodeOutputs(opType: string, inputs: string[], hint: string, attributes: Record<string, AttributeValue> = {}, outputs = 1): string[] {
    const output = Array.from({ length: outputs }, (_, i) => this.fresh(outputs === 1 ? hint : `${hint}.${i}`));
    this.nodes.push({
      opType,
      name: this.fresh(`${hint}/${opType}`),
      input: inputs,
      output,
      attribute: Object.entries(attributes).map(([k, v]) => attribute(k, v)),
    });
    return output;
  }

  /** Reserve a graph input's name. */
  input(name: string): string {
    if (this.used.has(name)) throw new RangeError(`graph input ${name}: name taken`);
    this.used.add(name);
    return name;
  }

  /** Give the value `from` the graph output name `name` (an Identity node). */
  output(from: string, name: string): void {
    this.nodes.push({ opType: 'Identity', name: this.fresh(`${name}/Identity`), input: [from], output: [name], attribute: [] });
    this.used.add(name);
  }

  /** The serialized model. */
  encode(spec: ModelSpec): Uint8Array {
    const model = ModelProto.fromObject({
      irVersion: ONNX_IR_VERSION,
      opsetImport: [{ domain: '', version: ONNX_OPSET }],
      producerName: 'groupnas',
      producerVersion: spec.producerVersion,
      docString: spec.docString,
      graph: {
        name: 'groupnas',
        node: this.nodes,
        initializer: this.initializers,
        input: spec.inputs.map(valueInfo),
        output: spec.outputs.map(valueInfo),
      },
      metadataProps: Object.entries(spec.metadata).map(([key, value]) => ({ key, value })),
    });
    return ModelProto.encode(model).finish();
  }

  get nodeCount(): number {
    return this.nodes.length;
  }
}

/** Float32 values as little-endian bytes (ONNX raw_data is little-endian whatever the host). */
function littleEndian(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return bytes;
}
