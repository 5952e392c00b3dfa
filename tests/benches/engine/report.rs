//! Turning samples into figures: percentiles, pass/over verdicts and aligned tables.

use std::time::Duration;

/// Nearest-rank percentiles of a set of samples, in milliseconds.
pub struct Summary {
    pub count: usize,
    pub min: f64,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
}

impl Summary {
    /// Summarises samples in milliseconds; `samples` must not be empty.
    pub fn of_ms(mut samples: Vec<f64>) -> Self {
        samples.sort_by(f64::total_cmp);
        Self {
            count: samples.len(),
            min: samples[0],
            p50: percentile(&samples, 50.0),
            p90: percentile(&samples, 90.0),
            p99: percentile(&samples, 99.0),
            max: samples[samples.len() - 1],
        }
    }

    pub fn of_durations(samples: &[Duration]) -> Self {
        Self::of_ms(samples.iter().map(|d| d.as_secs_f64() * 1e3).collect())
    }
}

/// The nearest-rank `p`th percentile of sorted samples.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// `pass` when `value` is under `limit`, else `OVER`.
pub fn verdict(value: f64, limit: f64) -> &'static str {
    if value < limit { "pass" } else { "OVER" }
}

pub fn heading(title: &str) {
    println!("\n=== {title} ===");
}

/// Milliseconds with three decimals.
pub fn ms(value: f64) -> String {
    format!("{value:.3}")
}

/// An integer with thin thousands separators: `1,000,000`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A table printed with its columns aligned: the first to the left, the others to the right.
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(header: &[&str]) -> Self {
        Self { header: header.iter().map(|h| h.to_string()).collect(), rows: Vec::new() }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub fn print(&self) {
        let widths = self.widths();
        self.print_line(&self.header, &widths);
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        println!("{}", rule.join("  "));
        for row in &self.rows {
            self.print_line(row, &widths);
        }
    }

    fn widths(&self) -> Vec<usize> {
        (0..self.header.len())
            .map(|i| {
                std::iter::once(&self.header)
                    .chain(&self.rows)
                    .map(|row| row.get(i).map_or(0, |c| c.chars().count()))
                    .max()
                    .unwrap_or(0)
            })
            .collect()
    }

    fn print_line(&self, cells: &[String], widths: &[usize]) {
        let line: Vec<String> = widths
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let cell = cells.get(i).map_or("", String::as_str);
                if i == 0 { format!("{cell:<w$}") } else { format!("{cell:>w$}") }
            })
            .collect();
        println!("{}", line.join("  ").trim_end());
    }
}
