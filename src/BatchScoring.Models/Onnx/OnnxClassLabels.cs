using System.Globalization;
using Google.Protobuf;

namespace BatchScoring.Models.Onnx;

/// <summary>
/// The class labels a converted classifier carries in its graph: the <c>classlabels_int64s</c> or
/// <c>classlabels_strings</c> attribute of its <c>ZipMap</c> node, else of its classifier node
/// (<c>LinearClassifier</c>, <c>TreeEnsembleClassifier</c>, <c>SVMClassifier</c>), in the classifier's order.
/// ONNX Runtime does not expose graph nodes, so the top-level graph is read from the protobuf wire format.
/// </summary>
internal static class OnnxClassLabels
{
    private static readonly HashSet<string> Classifiers = ["ZipMap", "LinearClassifier", "TreeEnsembleClassifier", "SVMClassifier"];

    /// <summary>The labels, whether they are numbers, or null when no node carries them.</summary>
    public static (string[] Labels, bool AreNumbers)? Read(byte[] model)
    {
        (string[], bool)? found = null;
        foreach (var node in Fields(model, modelField: 7, graphField: 1))
        {
            var (opType, labels) = ReadNode(node);
            if (labels is null || !Classifiers.Contains(opType))
                continue;
            if (opType == "ZipMap")
                return labels;
            found ??= labels;
        }
        return found;
    }

    private static IEnumerable<ByteString> Fields(byte[] model, int modelField, int graphField)
    {
        var graph = FirstField(ByteString.CopyFrom(model), modelField);
        return graph is null ? [] : AllFields(graph, graphField);
    }

    private static ByteString? FirstField(ByteString message, int field) => AllFields(message, field).FirstOrDefault();

    private static List<ByteString> AllFields(ByteString message, int field)
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

    private static (string OpType, (string[], bool)? Labels) ReadNode(ByteString node)
    {
        const int OpTypeField = 4, AttributeField = 5;
        var opType = "";
        (string[], bool)? labels = null;
        var input = node.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            var field = WireFormat.GetTagFieldNumber(tag);
            if (field == OpTypeField)
                opType = input.ReadString();
            else if (field == AttributeField)
                labels = ReadAttribute(input.ReadBytes()) ?? labels;
            else
                input.SkipLastField();
        }
        return (opType, labels);
    }

    private static (string[], bool)? ReadAttribute(ByteString attribute)
    {
        const int NameField = 1, IntsField = 8, StringsField = 9;
        var name = "";
        var ints = new List<long>();
        var strings = new List<string>();
        var input = attribute.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case NameField:
                    name = input.ReadString();
                    break;
                case IntsField when WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited:
                    var packed = input.ReadBytes().CreateCodedInput();
                    while (!packed.IsAtEnd)
                        ints.Add(packed.ReadInt64());
                    break;
                case IntsField:
                    ints.Add(input.ReadInt64());
                    break;
                case StringsField:
                    strings.Add(input.ReadBytes().ToStringUtf8());
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }
        return name switch
        {
            "classlabels_int64s" or "classlabels_ints" when ints.Count > 0 => ([.. ints.Select(i => i.ToString(CultureInfo.InvariantCulture))], true),
            "classlabels_strings" when strings.Count > 0 => ([.. strings], false),
            _ => null,
        };
    }
}
