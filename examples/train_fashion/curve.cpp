#include "curve.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <stdexcept>

namespace fashion {
namespace {

void write_file(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
  f.close();
  if (!f) throw std::runtime_error(path + ": cannot write");
}

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// A step of 1, 2 or 5 times a power of ten giving about `count` intervals.
double nice_step(double range, int count) {
  const double raw = std::max(range, 1e-9) / count;
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0})
    if (m * p >= raw) return m * p;
  return 10 * p;
}

struct Series {
  std::string label, color;
  std::vector<double> y;
};

// One plot panel at (x0, y0) of size w x h: axes, ticks, grid, lines, legend.
// `mark` (when inside the range) is drawn as a dashed line labelled mark_label.
std::string panel(double x0, double y0, double w, double h, const std::string& ylabel, int epochs,
                  double ylo, double yhi, double ystep, const char* ytick_format,
                  const std::vector<Series>& series, double mark = NAN,
                  const std::string& mark_label = "") {
  std::string s;
  auto px = [&](double e) { return x0 + (epochs > 1 ? (e - 1) / (epochs - 1) : 0.5) * w; };
  auto py = [&](double v) { return y0 + h - (v - ylo) / (yhi - ylo) * h; };
  s += "<rect x='" + fmt("%.1f", x0) + "' y='" + fmt("%.1f", y0) + "' width='" + fmt("%.1f", w) +
       "' height='" + fmt("%.1f", h) + "' fill='none' stroke='#444'/>\n";
  for (double k = std::ceil(ylo / ystep - 1e-9); k * ystep <= yhi + 1e-9; k += 1) {
    const double v = k * ystep + 0.0;  // + 0.0: no "-0.00" from k = -0.0
    const std::string y = fmt("%.1f", py(v));
    s += "<line x1='" + fmt("%.1f", x0) + "' y1='" + y + "' x2='" + fmt("%.1f", x0 + w) + "' y2='" +
         y + "' stroke='#ddd'/>\n";
    s += "<text x='" + fmt("%.1f", x0 - 6) + "' y='" + y + "' dy='4' text-anchor='end'>" +
         fmt(ytick_format, v) + "</text>\n";
  }
  const double xstep = std::max(1.0, nice_step(epochs - 1, 8));
  for (double e = 1; e <= epochs + 1e-9; e += xstep) {
    const std::string x = fmt("%.1f", px(e));
    s += "<line x1='" + x + "' y1='" + fmt("%.1f", y0 + h) + "' x2='" + x + "' y2='" +
         fmt("%.1f", y0 + h + 5) + "' stroke='#444'/>\n";
    s += "<text x='" + x + "' y='" + fmt("%.1f", y0 + h + 20) + "' text-anchor='middle'>" +
         fmt("%.0f", e) + "</text>\n";
  }
  s += "<text x='" + fmt("%.1f", x0 + w / 2) + "' y='" + fmt("%.1f", y0 + h + 40) +
       "' text-anchor='middle'>epoch</text>\n";
  s += "<text transform='translate(" + fmt("%.1f", x0 - 48) + "," + fmt("%.1f", y0 + h / 2) +
       ") rotate(-90)' text-anchor='middle'>" + ylabel + "</text>\n";
  if (mark > ylo && mark < yhi) {
    const std::string y = fmt("%.1f", py(mark));
    s += "<line x1='" + fmt("%.1f", x0) + "' y1='" + y + "' x2='" + fmt("%.1f", x0 + w) + "' y2='" +
         y + "' stroke='#888' stroke-dasharray='6,4'/>\n";
    s += "<text x='" + fmt("%.1f", x0 + 6) + "' y='" + y + "' dy='-5' fill='#666'>" + mark_label +
         "</text>\n";
  }
  for (size_t k = 0; k < series.size(); ++k) {
    const Series& sr = series[k];
    std::string points;
    for (size_t i = 0; i < sr.y.size(); ++i) {
      const std::string pt = fmt("%.1f", px(static_cast<double>(i + 1))) + "," +
                             fmt("%.1f", py(std::clamp(sr.y[i], ylo, yhi)));
      points += (i ? " " : "") + pt;
      s += "<circle cx='" + fmt("%.1f", px(static_cast<double>(i + 1))) + "' cy='" +
           fmt("%.1f", py(std::clamp(sr.y[i], ylo, yhi))) + "' r='3' fill='" + sr.color + "'/>\n";
    }
    s += "<polyline points='" + points + "' fill='none' stroke='" + sr.color +
         "' stroke-width='2'/>\n";
    const double ly = y0 + 16 + 18 * static_cast<double>(k);
    s += "<line x1='" + fmt("%.1f", x0 + w - 150) + "' y1='" + fmt("%.1f", ly) + "' x2='" +
         fmt("%.1f", x0 + w - 125) + "' y2='" + fmt("%.1f", ly) + "' stroke='" + sr.color +
         "' stroke-width='2'/>\n";
    s += "<text x='" + fmt("%.1f", x0 + w - 118) + "' y='" + fmt("%.1f", ly) + "' dy='4'>" +
         sr.label + "</text>\n";
  }
  return s;
}

}  // namespace

void write_csv(const std::string& path, const std::vector<EpochRow>& rows) {
  std::string text = "epoch,train_loss,train_accuracy,test_accuracy,seconds\n";
  for (const EpochRow& r : rows) {
    char line[160];
    std::snprintf(line, sizeof line, "%d,%.6f,%.6f,%.6f,%.2f\n", r.epoch, r.train_loss,
                  r.train_accuracy, r.test_accuracy, r.seconds);
    text += line;
  }
  write_file(path, text);
}

void write_svg(const std::string& path, const std::vector<EpochRow>& rows,
               const std::string& title) {
  const int epochs = std::max(1, static_cast<int>(rows.size()));
  Series loss{"train loss", "#d62728", {}};
  Series train_acc{"train accuracy", "#1f77b4", {}};
  Series test_acc{"test accuracy", "#2ca02c", {}};
  double loss_hi = 0.1, acc_lo = 100;
  for (const EpochRow& r : rows) {
    loss.y.push_back(r.train_loss);
    train_acc.y.push_back(100 * r.train_accuracy);
    test_acc.y.push_back(100 * r.test_accuracy);
    loss_hi = std::max(loss_hi, r.train_loss);
    acc_lo = std::min({acc_lo, 100 * r.train_accuracy, 100 * r.test_accuracy});
  }
  const double loss_step = nice_step(loss_hi, 5);
  loss_hi = std::ceil(loss_hi / loss_step) * loss_step;
  acc_lo = std::min(acc_lo, 90.0);
  const double acc_step = nice_step(100 - acc_lo, 5);
  acc_lo = std::floor((acc_lo - 0.5) / acc_step) * acc_step;  // no point on the axis

  std::string s =
      "<svg xmlns='http://www.w3.org/2000/svg' width='960' height='420' "
      "font-family='sans-serif' font-size='12'>\n"
      "<rect width='960' height='420' fill='white'/>\n";
  s += "<text x='480' y='24' text-anchor='middle' font-size='15'>" + title + "</text>\n";
  s += panel(80, 50, 340, 300, "loss", epochs, 0, loss_hi, loss_step, "%.2f", {loss});
  s += panel(580, 50, 340, 300, "accuracy (%)", epochs, acc_lo, 100, acc_step, "%.0f",
             {train_acc, test_acc}, 92.0, "92%");
  s += "</svg>\n";
  write_file(path, s);
}

}  // namespace fashion
