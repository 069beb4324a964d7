#include "report/plot.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "common/error.h"
#include "common/output_file.h"
#include "common/path_identity.h"

namespace lt::report {
namespace {

constexpr const char* kFont = "Helvetica, Arial, 'DejaVu Sans', sans-serif";
// Colour-blind-safe palette (Okabe-Ito, darkened yellow left out).
constexpr const char* kColors[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                   "#E69F00", "#56B4E9", "#000000", "#999999"};
constexpr int kNumColors = sizeof(kColors) / sizeof(kColors[0]);

std::string xmlEscape(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      case '\'': o += "&apos;"; break;
      default: o += c;
    }
  }
  return o;
}

// A marker of shape `k` centred at (x, y) with radius r.
std::string marker(int k, double x, double y, double r, const std::string& color, const std::string& extra) {
  const std::string style =
      fmt::format("class=\"point\" fill=\"{}\" stroke=\"#ffffff\" stroke-width=\"1\"{}", color, extra);
  switch (k % 5) {
    case 0: return fmt::format("<circle cx=\"{:.2f}\" cy=\"{:.2f}\" r=\"{:.2f}\" {}/>", x, y, r, style);
    case 1: {
      double s = r * 0.9;
      return fmt::format("<rect x=\"{:.2f}\" y=\"{:.2f}\" width=\"{:.2f}\" height=\"{:.2f}\" {}/>", x - s, y - s,
                         2 * s, 2 * s, style);
    }
    case 2: {
      double h = r * 1.2;
      return fmt::format("<polygon points=\"{:.2f},{:.2f} {:.2f},{:.2f} {:.2f},{:.2f}\" {}/>", x, y - h,
                         x + h, y + h * 0.8, x - h, y + h * 0.8, style);
    }
    case 3: {
      double h = r * 1.25;
      return fmt::format("<polygon points=\"{:.2f},{:.2f} {:.2f},{:.2f} {:.2f},{:.2f} {:.2f},{:.2f}\" {}/>", x,
                         y - h, x + h, y, x, y + h, x - h, y, style);
    }
    default: {
      double h = r * 1.2;
      return fmt::format("<polygon points=\"{:.2f},{:.2f} {:.2f},{:.2f} {:.2f},{:.2f}\" {}/>", x, y + h,
                         x + h, y - h * 0.8, x - h, y - h * 0.8, style);
    }
  }
}

std::string tickLabel(double v, double step) {
  int decimals = step >= 1 ? 0 : int(std::ceil(-std::log10(step) - 1e-9));
  if (std::abs(v) < step * 1e-6) v = 0;
  return fmt::format("{:.{}f}", v, std::max(0, decimals));
}

struct Range {
  double lo, hi;
  std::vector<double> ticks;
};

// Pads the data range, rounds it out to whole ticks.
Range axisRange(double lo, double hi, int target) {
  if (hi - lo < 1e-12) {
    double pad = std::max(std::abs(lo) * 0.1, 1.0);
    lo -= pad;
    hi += pad;
  } else {
    double pad = (hi - lo) * 0.08;
    lo -= pad;
    hi += pad;
  }
  std::vector<double> t = niceTicks(lo, hi, target);
  double step = t.size() > 1 ? t[1] - t[0] : 1.0;
  Range r;
  r.lo = std::floor(lo / step + 1e-9) * step;
  r.hi = std::ceil(hi / step - 1e-9) * step;
  for (double v = r.lo; v <= r.hi + step * 1e-6; v += step) r.ticks.push_back(v);
  return r;
}

struct Series {
  std::string name;
  std::vector<std::pair<double, double>> pts;  // (x in millions, BLEU)
};

}  // namespace

std::vector<double> niceTicks(double lo, double hi, int target) {
  LT_CHECK(hi > lo && target >= 1, Error, "internal: niceTicks({}, {}, {})", lo, hi, target);
  double raw = (hi - lo) / target;
  double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double f = raw / mag;
  double step = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
  std::vector<double> t;
  for (double v = std::ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step)
    t.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);
  return t;
}

std::string plotTradeoffSvg(const std::vector<ResultRecord>& records, const PlotOptions& opt, PlotStats* stats) {
  LT_CHECK(opt.x == "mult-adds" || opt.x == "params", ConfigError,
           "--x: expected mult-adds or params, got '{}'", opt.x);
  LT_CHECK(opt.width >= 200 && opt.height >= 150, ConfigError, "plot: size {}x{} is too small", opt.width,
           opt.height);
  const bool byParams = opt.x == "params";
  std::vector<Series> series;
  std::map<std::string, size_t> index;
  PlotStats st;
  for (const auto& r : records) {
    std::optional<double> x = byParams ? r.params : r.multAdds;
    if (!r.bleu || !x) {
      ++st.skipped;
      continue;
    }
    std::string key = r.variant.empty() ? r.name : r.variant;
    auto [it, fresh] = index.emplace(key, series.size());
    if (fresh) series.push_back({key, {}});
    series[it->second].pts.emplace_back(*x / 1e6, *r.bleu);
    ++st.points;
  }
  LT_CHECK(st.points > 0, ConfigError,
           "plot: no record has both 'bleu' and '{}' ({} records read)", byParams ? "params" : "mult_adds",
           records.size());
  st.series = series.size();
  if (stats) *stats = st;

  double xmin = 1e300, xmax = -1e300, ymin = 1e300, ymax = -1e300;
  for (auto& s : series) {
    std::stable_sort(s.pts.begin(), s.pts.end());
    for (auto [x, y] : s.pts) {
      xmin = std::min(xmin, x), xmax = std::max(xmax, x);
      ymin = std::min(ymin, y), ymax = std::max(ymax, y);
    }
  }
  const double W = opt.width, H = opt.height;
  const double left = 62, right = 18, top = opt.title.empty() ? 18 : 42, bottom = 52;
  const double pw = W - left - right, ph = H - top - bottom;
  Range xr = axisRange(xmin, xmax, 6), yr = axisRange(ymin, ymax, 5);
  auto px = [&](double x) { return left + (x - xr.lo) / (xr.hi - xr.lo) * pw; };
  auto py = [&](double y) { return top + ph - (y - yr.lo) / (yr.hi - yr.lo) * ph; };

  std::string s = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"{2}\">\n"
      "<rect class=\"background\" x=\"0\" y=\"0\" width=\"{0}\" height=\"{1}\" fill=\"#ffffff\"/>\n",
      opt.width, opt.height, kFont);
  if (!opt.title.empty())
    s += fmt::format("<text class=\"title\" x=\"{:.1f}\" y=\"26\" text-anchor=\"middle\" font-size=\"15\" "
                     "font-weight=\"bold\" fill=\"#222222\">{}</text>\n",
                     W / 2, xmlEscape(opt.title));

  // Grid and ticks.
  s += "<g class=\"grid\" stroke=\"#e3e3e3\" stroke-width=\"1\">\n";
  for (double v : xr.ticks) s += fmt::format("<line x1=\"{0:.2f}\" y1=\"{1:.2f}\" x2=\"{0:.2f}\" y2=\"{2:.2f}\"/>\n", px(v), top, top + ph);
  for (double v : yr.ticks) s += fmt::format("<line x1=\"{1:.2f}\" y1=\"{0:.2f}\" x2=\"{2:.2f}\" y2=\"{0:.2f}\"/>\n", py(v), left, left + pw);
  s += "</g>\n";
  s += fmt::format("<rect class=\"frame\" x=\"{:.2f}\" y=\"{:.2f}\" width=\"{:.2f}\" height=\"{:.2f}\" fill=\"none\" "
                   "stroke=\"#444444\" stroke-width=\"1\"/>\n",
                   left, top, pw, ph);
  const double xstep = xr.ticks.size() > 1 ? xr.ticks[1] - xr.ticks[0] : 1;
  const double ystep = yr.ticks.size() > 1 ? yr.ticks[1] - yr.ticks[0] : 1;
  s += "<g class=\"x-ticks\" font-size=\"12\" fill=\"#333333\" text-anchor=\"middle\">\n";
  for (double v : xr.ticks)
    s += fmt::format("<line x1=\"{0:.2f}\" y1=\"{1:.2f}\" x2=\"{0:.2f}\" y2=\"{2:.2f}\" stroke=\"#444444\"/>"
                     "<text x=\"{0:.2f}\" y=\"{3:.2f}\">{4}</text>\n",
                     px(v), top + ph, top + ph + 5, top + ph + 19, tickLabel(v, xstep));
  s += "</g>\n<g class=\"y-ticks\" font-size=\"12\" fill=\"#333333\" text-anchor=\"end\">\n";
  for (double v : yr.ticks)
    s += fmt::format("<line x1=\"{1:.2f}\" y1=\"{0:.2f}\" x2=\"{2:.2f}\" y2=\"{0:.2f}\" stroke=\"#444444\"/>"
                     "<text x=\"{3:.2f}\" y=\"{4:.2f}\">{5}</text>\n",
                     py(v), left - 5, left, left - 8, py(v) + 4, tickLabel(v, ystep));
  s += "</g>\n";
  s += fmt::format("<text class=\"x-label\" x=\"{:.2f}\" y=\"{:.2f}\" text-anchor=\"middle\" font-size=\"13\" "
                   "fill=\"#222222\">{}</text>\n",
                   left + pw / 2, H - 12, byParams ? "#Params (M)" : "#Mult-Adds (M)");
  s += fmt::format("<text class=\"y-label\" x=\"{0:.2f}\" y=\"{1:.2f}\" text-anchor=\"middle\" font-size=\"13\" "
                   "fill=\"#222222\" transform=\"rotate(-90 {0:.2f} {1:.2f})\">BLEU</text>\n",
                   18.0, top + ph / 2);

  // Value labels: the first of four places around the marker (up-left, up-right,
  // down-right, down-left) that overlaps no marker and no label placed before.
  struct Box {
    double x0, y0, x1, y1;
    bool hits(const Box& o) const { return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1; }
  };
  std::vector<Box> taken;
  for (const auto& se : series)
    for (auto [x, y] : se.pts) taken.push_back({px(x) - 6, py(y) - 6, px(x) + 6, py(y) + 6});
  std::vector<std::vector<std::pair<double, double>>> labelAt(series.size());  // text start x, baseline y
  if (opt.labels) {
    for (size_t i = 0; i < series.size(); ++i) {
      for (auto [x, y] : series[i].pts) {
        const double w = 6.2 * double(fmt::format("{:.1f}", y).size()), h = 11;
        const double cx = px(x), cy = py(y);
        const std::pair<double, double> cand[] = {
            {cx - 7 - w, cy - 7}, {cx + 7, cy - 7}, {cx + 7, cy + 7 + h}, {cx - 7 - w, cy + 7 + h}};
        std::pair<double, double> pick = cand[0];
        for (const auto& c : cand) {
          Box b{c.first, c.second - h + 1, c.first + w, c.second + 2};
          bool inside = b.x0 >= left && b.x1 <= left + pw && b.y0 >= top && b.y1 <= top + ph;
          bool free = inside && std::none_of(taken.begin(), taken.end(), [&](const Box& t) { return t.hits(b); });
          if (free) {
            pick = c;
            break;
          }
        }
        taken.push_back({pick.first, pick.second - h + 1, pick.first + w, pick.second + 2});
        labelAt[i].push_back(pick);
      }
    }
  }

  // Series: line, markers, value labels.
  for (size_t i = 0; i < series.size(); ++i) {
    const auto& se = series[i];
    const std::string color = kColors[i % kNumColors];
    s += fmt::format("<g class=\"series\" data-name=\"{}\">\n", xmlEscape(se.name));
    if (se.pts.size() > 1) {
      std::string pts;
      for (auto [x, y] : se.pts) pts += fmt::format("{}{:.2f},{:.2f}", pts.empty() ? "" : " ", px(x), py(y));
      s += fmt::format("<polyline class=\"line\" points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\" "
                       "stroke-linejoin=\"round\"/>\n",
                       pts, color);
    }
    for (size_t k = 0; k < se.pts.size(); ++k) {
      auto [x, y] = se.pts[k];
      s += marker(int(i), px(x), py(y), 4.5, color, fmt::format(" data-x=\"{}\" data-y=\"{}\"", x, y)) + "\n";
      if (opt.labels)
        s += fmt::format("<text class=\"value\" x=\"{:.2f}\" y=\"{:.2f}\" font-size=\"10.5\" fill=\"{}\">{:.1f}</text>\n",
                         labelAt[i][k].first, labelAt[i][k].second, color, y);
    }
    s += "</g>\n";
  }

  // Legend (bottom right, inside the plot area: trade-off curves rise to the right).
  const double rowH = 19, boxW = 34;
  double textW = 0;
  for (const auto& se : series) textW = std::max(textW, 7.0 * double(se.name.size()));
  const double lw = boxW + textW + 18, lh = rowH * double(series.size()) + 10;
  const double lx = left + pw - lw - 10, ly = top + ph - lh - 10;
  s += fmt::format("<g class=\"legend\" font-size=\"12\" fill=\"#222222\">\n"
                   "<rect x=\"{:.2f}\" y=\"{:.2f}\" width=\"{:.2f}\" height=\"{:.2f}\" fill=\"#ffffff\" "
                   "fill-opacity=\"0.9\" stroke=\"#bbbbbb\" stroke-width=\"1\" rx=\"3\"/>\n",
                   lx, ly, lw, lh);
  for (size_t i = 0; i < series.size(); ++i) {
    const std::string color = kColors[i % kNumColors];
    double cy = ly + 5 + rowH * (double(i) + 0.5);
    s += fmt::format("<line x1=\"{:.2f}\" y1=\"{:.2f}\" x2=\"{:.2f}\" y2=\"{:.2f}\" stroke=\"{}\" stroke-width=\"2\"/>",
                     lx + 8, cy, lx + 8 + boxW - 8, cy, color);
    std::string m = marker(int(i), lx + 8 + (boxW - 8) / 2, cy, 4.5, color, "");
    m.replace(m.find("class=\"point\""), 13, "class=\"legend-marker\"");
    s += m;
    s += fmt::format("<text x=\"{:.2f}\" y=\"{:.2f}\">{}</text>\n", lx + boxW + 8, cy + 4, xmlEscape(series[i].name));
  }
  s += "</g>\n</svg>\n";
  return s;
}

void runPlotCommand(const PlotCommandOptions& opt, std::ostream& out, std::ostream& log) {
  LT_CHECK(!opt.results.empty(), ConfigError, "plot: --results is required");
  LT_CHECK(!opt.output.empty(), ConfigError, "plot: --output is required");
  LT_CHECK(opt.plot.x == "mult-adds" || opt.plot.x == "params", ConfigError,
           "--x: expected mult-adds or params, got '{}'", opt.plot.x);
  checkOutputIsNotAnInput({"--output", opt.output}, {{"--results", opt.results}});
  std::vector<ResultRecord> recs = readResults(opt.results);
  PlotStats st;
  std::string svg = plotTradeoffSvg(recs, opt.plot, &st);
  if (opt.output == "-") {
    out << svg;
    return;
  }
  OutputFile f(opt.output, "--output");  // the SVG appears whole or not at all
  f.stream() << svg;
  f.commit();
  log << fmt::format("wrote {}: {} series, {} points ({} records without BLEU or cost skipped)\n", opt.output,
                     st.series, st.points, st.skipped);
}

}  // namespace lt::report
