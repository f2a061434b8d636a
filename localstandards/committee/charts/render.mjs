// Server-side rendering of ECharts options to SVG for the committee report's PDF (WeasyPrint runs no JavaScript).
// Reads {"maps": {"name": geojson}, "charts": [{"width": w, "height": h, "option": {...}}]} on stdin and writes a
// JSON array of SVG strings on stdout. ECharts comes from node_modules, installed by npm like the page's copy.
import * as echarts from "echarts";

let input = "";
process.stdin.setEncoding("utf8");
for await (const chunk of process.stdin) input += chunk;
const request = JSON.parse(input);
for (const [name, shapes] of Object.entries(request.maps || {})) echarts.registerMap(name, shapes);
const out = request.charts.map(({ width, height, option }) => {
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width, height });
  chart.setOption({ animation: false, ...option });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg;
});
process.stdout.write(JSON.stringify(out));
