namespace BatchScoring.Worker.Reports;

/// <summary>The report's inline CSS: readable at 1280 px and wider, nothing wider than the page (wide tables scroll inside their box).</summary>
internal static class ReportStyle
{
    public const string Css = """
        body { font-family: system-ui, sans-serif; margin: 2em auto; padding: 0 2em; color: #222; max-width: 1180px; font-size: 15px; line-height: 1.4; }
        h1 { font-size: 24px; } h2 { font-size: 19px; margin-top: 1.5em; } h3 { font-size: 17px; margin-bottom: 0.3em; }
        .scroll { overflow-x: auto; }
        table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 13px; }
        th, td { border-bottom: 1px solid #ddd; padding: 4px 8px; text-align: left; font-variant-numeric: tabular-nums; vertical-align: top; }
        th { background: #f4f4f4; }
        table.features td { white-space: nowrap; }
        .note { font-size: 12px; color: #555; margin-top: -0.5em; }
        dl.stats { grid-template-columns: repeat(3, max-content minmax(0, 1fr)); }
        .drifted { color: #b00020; font-weight: 600; }
        .ok { color: #2e7d32; }
        section.feature { border-top: 2px solid #e4e4e4; margin-top: 1.8em; padding-top: 0.4em; }
        .reason { font-size: 15px; background: #fff4f2; border-left: 4px solid #d6453d; padding: 6px 10px; margin: 0.4em 0 0.8em; }
        .charts { display: flex; flex-wrap: wrap; gap: 16px 24px; align-items: flex-start; }
        .charts svg { max-width: 100%; height: auto; }
        svg text { font-family: system-ui, sans-serif; }
        .panel-title { font-size: 13px; font-weight: 600; fill: #222; }
        .legend, .tick, .bin-label { font-size: 12px; fill: #444; }
        .axis-title { font-size: 12px; fill: #666; }
        .change { font-size: 12px; font-weight: 700; fill: #222; }
        .axis { stroke: #666; stroke-width: 1; }
        .grid { stroke: #e2e2e2; stroke-width: 1; }
        .threshold { stroke: #b00020; stroke-width: 1.5; stroke-dasharray: 6 4; }
        .threshold-label { font-size: 12px; fill: #b00020; }
        .trend-line { fill: none; stroke: #1f5f9e; stroke-width: 2; }
        .point { fill: #fff; stroke: #1f5f9e; stroke-width: 2; }
        .drifted-point { fill: #d6453d; stroke: #d6453d; }
        .current-point { stroke: #111; stroke-width: 2.5; }
        dl { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 2px 16px; font-size: 13px; }
        dt { color: #555; } dd { margin: 0; overflow-wrap: anywhere; }
        """;
}
