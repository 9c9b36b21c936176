using Google.Protobuf;

namespace BatchScoring.Models.Onnx;

/// <summary>One attribute of a graph node: the scalars and lists ONNX's AttributeProto holds.</summary>
internal sealed record OnnxAttribute(string Name, long Int, float Float, string String, IReadOnlyList<long> Ints, IReadOnlyList<float> Floats, IReadOnlyList<string> Strings);

/// <summary>One node of the top-level graph.</summary>
internal sealed record OnnxNode(string OpType, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs, IReadOnlyDictionary<string, OnnxAttribute> Attributes);

/// <summary>
/// The nodes of an ONNX file's top-level graph, read from the protobuf wire format (ONNX Runtime does not expose them):
/// ModelProto.graph (7) → GraphProto.node (1) → NodeProto input (1), output (2), op_type (4), attribute (5) →
/// AttributeProto name (1), f (2), i (3), s (4), floats (7), ints (8), strings (9). Repeated numbers may be packed or not.
/// </summary>
internal static class OnnxGraphReader
{
    public static IReadOnlyList<OnnxNode> Nodes(byte[] model)
    {
        var graph = Fields(ByteString.CopyFrom(model), 7).FirstOrDefault();
        return graph is null ? [] : Fields(graph, 1).Select(Node).ToArray();
    }

    private static List<ByteString> Fields(ByteString message, int field)
    {
        var found = new List<ByteString>();
        var input = message.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == field && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
                found.Add(input.ReadBytes());
            else
                input.SkipLastField();
        }
        return found;
    }

    private static OnnxNode Node(ByteString node)
    {
        var (inputs, outputs, attributes) = (new List<string>(), new List<string>(), new Dictionary<string, OnnxAttribute>(StringComparer.Ordinal));
        var opType = "";
        var input = node.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: inputs.Add(input.ReadString()); break;
                case 2: outputs.Add(input.ReadString()); break;
                case 4: opType = input.ReadString(); break;
                case 5:
                    var attribute = Attribute(input.ReadBytes());
                    attributes[attribute.Name] = attribute;
                    break;
                default: input.SkipLastField(); break;
            }
        }
        return new OnnxNode(opType, inputs, outputs, attributes);
    }

    private static OnnxAttribute Attribute(ByteString attribute)
    {
        var (name, text) = ("", "");
        long integer = 0;
        float number = 0;
        var (ints, floats, strings) = (new List<long>(), new List<float>(), new List<string>());
        var input = attribute.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            var packed = WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited;
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: name = input.ReadString(); break;
                case 2: number = input.ReadFloat(); break;
                case 3: integer = input.ReadInt64(); break;
                case 4: text = input.ReadBytes().ToStringUtf8(); break;
                case 7 when packed: ReadPacked(input, c => floats.Add(c.ReadFloat())); break;
                case 7: floats.Add(input.ReadFloat()); break;
                case 8 when packed: ReadPacked(input, c => ints.Add(c.ReadInt64())); break;
                case 8: ints.Add(input.ReadInt64()); break;
                case 9: strings.Add(input.ReadBytes().ToStringUtf8()); break;
                default: input.SkipLastField(); break;
            }
        }
        return new OnnxAttribute(name, integer, number, text, ints, floats, strings);
    }

    private static void ReadPacked(CodedInputStream input, Action<CodedInputStream> read)
    {
        var packed = input.ReadBytes().CreateCodedInput();
        while (!packed.IsAtEnd)
            read(packed);
    }
}
