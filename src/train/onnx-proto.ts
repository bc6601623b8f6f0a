/**
 * The part of the ONNX protobuf schema (onnx/onnx.proto, IR version 7) that groupnas writes:
 * a model with one graph of nodes, float32 initializers in `raw_data`, typed inputs and outputs and
 * string metadata. Declared for protobufjs's reflection (field names camel-cased, field numbers
 * those of onnx.proto); protobufjs does the wire encoding.
 */
import protobuf from 'protobufjs/light.js';

/** TensorProto.DataType values used here. */
export const ONNX_FLOAT = 1;
export const ONNX_INT64 = 7;

/** AttributeProto.AttributeType values used here. */
export const ATTRIBUTE_FLOAT = 1;
export const ATTRIBUTE_INT = 2;
export const ATTRIBUTE_STRING = 3;
export const ATTRIBUTE_INTS = 7;

/** IR version 7 goes with opset 13, which has every operator the exporter uses. */
export const ONNX_IR_VERSION = 7;
export const ONNX_OPSET = 13;

const field = (id: number, type: string, repeated = false) => ({ id, type, ...(repeated ? { rule: 'repeated' } : {}) });

const root = protobuf.Root.fromJSON({
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            irVersion: field(1, 'int64'),
            opsetImport: field(8, 'OperatorSetIdProto', true),
            producerName: field(2, 'string'),
            producerVersion: field(3, 'string'),
            domain: field(4, 'string'),
            modelVersion: field(5, 'int64'),
            docString: field(6, 'string'),
            graph: field(7, 'GraphProto'),
            metadataProps: field(14, 'StringStringEntryProto', true),
          },
        },
        OperatorSetIdProto: { fields: { domain: field(1, 'string'), version: field(2, 'int64') } },
        StringStringEntryProto: { fields: { key: field(1, 'string'), value: field(2, 'string') } },
        GraphProto: {
          fields: {
            node: field(1, 'NodeProto', true),
            name: field(2, 'string'),
            initializer: field(5, 'TensorProto', true),
            docString: field(10, 'string'),
            input: field(11, 'ValueInfoProto', true),
            output: field(12, 'ValueInfoProto', true),
          },
        },
        NodeProto: {
          fields: {
            input: field(1, 'string', true),
            output: field(2, 'string', true),
            name: field(3, 'string'),
            opType: field(4, 'string'),
            attribute: field(5, 'AttributeProto', true),
            docString: field(6, 'string'),
          },
        },
        AttributeProto: {
          fields: {
            name: field(1, 'string'),
            f: field(2, 'float'),
            i: field(3, 'int64'),
            s: field(4, 'bytes'),
            ints: field(8, 'int64', true),
            type: field(20, 'int32'),
          },
        },
        TensorProto: {
          fields: {
            dims: field(1, 'int64', true),
            dataType: field(2, 'int32'),
            name: field(8, 'string'),
            rawData: field(9, 'bytes'),
          },
        },
        ValueInfoProto: { fields: { name: field(1, 'string'), type: field(2, 'TypeProto') } },
        TypeProto: { fields: { tensorType: field(1, 'TensorTypeProto') } },
        TensorTypeProto: { fields: { elemType: field(1, 'int32'), shape: field(2, 'TensorShapeProto') } },
        TensorShapeProto: { fields: { dim: field(1, 'Dimension', true) } },
        Dimension: { fields: { dimValue: field(1, 'int64'), dimParam: field(2, 'string') } },
      },
    },
  },
});

/** The ModelProto message type: `encode(fromObject(model)).finish()` gives the `.onnx` bytes. */
export const ModelProto = root.lookupType('onnx.ModelProto');
