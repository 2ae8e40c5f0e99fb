//! Scenario value types: durations, rates, money, probabilities, distributions.
//!
//! Each type checks its own value as it is deserialised, so that a bad value is reported
//! with the path of its key (and from there its line and column).

use crate::engine::SimTime;
use crate::engine::rng::{Stream, unit};
use crate::sms::Money;
use rand_distr::{Distribution, Exp, Gamma, LogNormal, Normal, Weibull};
use serde::Deserialize;
use serde::de::{self, Deserializer};
use std::fmt;

/// Parse a duration: a string with units (`"250ms"`, `"2h30m"`, `"2d"`) or seconds.
pub fn parse_duration(s: &str) -> Result<SimTime, String> {
    let t = s.trim();
    if t.starts_with('-') {
        return Err(format!("duration \"{s}\" is negative"));
    }
    if let Ok(secs) = t.parse::<f64>() {
        return secs_to_time(secs);
    }
    // A fraction with one unit ("0.001h", "1.5d"): humantime takes whole numbers only.
    let split = t.find(|c: char| c.is_ascii_alphabetic() || c == 'µ').unwrap_or(t.len());
    let (number, unit) = (t[..split].trim(), t[split..].trim());
    if number.contains('.') {
        if let Ok(x) = number.parse::<f64>() {
            let per: f64 = match unit {
                "ns" | "nsec" => 1e-9,
                "us" | "µs" | "usec" => 1e-6,
                "ms" | "msec" => 1e-3,
                "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
                "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
                "h" | "hr" | "hrs" | "hour" | "hours" => 3600.0,
                "d" | "day" | "days" => 86_400.0,
                "w" | "week" | "weeks" => 604_800.0,
                "M" | "month" | "months" => 2_630_016.0,
                "y" | "year" | "years" => 31_557_600.0,
                _ => {
                    return Err(format!(
                        "invalid duration \"{s}\": unknown unit \"{unit}\" (expected e.g. \"250ms\", \"90s\", \"15m\", \"0.5h\", \"2d\")"
                    ));
                }
            };
            return secs_to_time(x * per);
        }
    }
    let d = humantime::parse_duration(t).map_err(|e| {
        format!("invalid duration \"{s}\": {e} (expected e.g. \"250ms\", \"90s\", \"15m\", \"8h\", \"2d\")")
    })?;
    u64::try_from(d.as_micros()).map(SimTime::from_micros).map_err(|_| format!("duration \"{s}\" is too long"))
}

fn secs_to_time(secs: f64) -> Result<SimTime, String> {
    if !secs.is_finite() {
        Err(format!("duration {secs} is not a finite number of seconds"))
    } else if secs < 0.0 {
        Err(format!("duration {secs} is negative"))
    } else if secs > 1e12 {
        Err(format!("duration {secs} s is too long"))
    } else {
        Ok(SimTime::from_secs_f64(secs))
    }
}

/// A non-negative duration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Duration(pub SimTime);

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = Duration;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a duration such as \"90s\", \"15m\", \"2h30m\" or a number of seconds")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Duration, E> {
                parse_duration(s).map(Duration).map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Duration, E> {
                secs_to_time(v as f64).map(Duration).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Duration, E> {
                secs_to_time(v as f64).map(Duration).map_err(E::custom)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Duration, E> {
                secs_to_time(v).map(Duration).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

/// A rate in events per second: a number, or `"N/s"`, `"N/min"`, `"N/h"`, `"N/d"`.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Rate(pub f64);

/// Parse a rate string or number into events per second.
pub fn parse_rate(s: &str) -> Result<f64, String> {
    let t = s.trim();
    let (num, per) = match t.split_once('/') {
        Some((n, u)) => (n.trim(), u.trim()),
        None => (t, "s"),
    };
    let n: f64 =
        num.parse().map_err(|_| format!("invalid rate \"{s}\" (expected e.g. 2.5, \"75/min\", \"1000/h\")"))?;
    let secs = match per {
        "s" | "sec" | "second" => 1.0,
        "m" | "min" | "minute" => 60.0,
        "h" | "hour" => 3600.0,
        "d" | "day" => 86400.0,
        other => return Err(format!("invalid rate unit \"{other}\" in \"{s}\" (expected s, min, h or d)")),
    };
    check_rate(n / secs)
}

fn check_rate(r: f64) -> Result<f64, String> {
    if !r.is_finite() || r < 0.0 { Err(format!("rate {r} must be a finite number >= 0")) } else { Ok(r) }
}

impl<'de> Deserialize<'de> for Rate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = Rate;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a rate: a number per second or a string such as \"75/min\"")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Rate, E> {
                parse_rate(s).map(Rate).map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Rate, E> {
                check_rate(v as f64).map(Rate).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Rate, E> {
                check_rate(v as f64).map(Rate).map_err(E::custom)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Rate, E> {
                check_rate(v).map(Rate).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

/// An amount of money in a scenario file: dollars with at most six decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Usd(pub Money);

impl<'de> Deserialize<'de> for Usd {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        Money::from_usd(v).map(Usd).map_err(de::Error::custom)
    }
}

pub use crate::sms::money::{six_decimals, thousands};

/// A message priority, 1 (most urgent) to 9.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Priority(pub u8);

impl<'de> Deserialize<'de> for Priority {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = i64::deserialize(d)?;
        if (1..=9).contains(&v) {
            Ok(Priority(v as u8))
        } else {
            Err(de::Error::custom(format!("priority {v} is outside 1 (most urgent) to 9")))
        }
    }
}

/// A probability in [0, 1].
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default)]
pub struct Probability(pub f64);

impl<'de> Deserialize<'de> for Probability {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        if (0.0..=1.0).contains(&v) {
            Ok(Probability(v))
        } else {
            Err(de::Error::custom(format!("probability {v} is outside [0, 1]")))
        }
    }
}

/// A wall-clock time of day, `"HH:MM"` or `"HH:MM:SS"`, as the span since midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TimeOfDay(pub SimTime);

impl<'de> Deserialize<'de> for TimeOfDay {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let bad = || {
            de::Error::custom(format!(
                "invalid time of day \"{s}\" (expected \"HH:MM\" or \"HH:MM:SS\", 00:00 to 23:59:59)"
            ))
        };
        let parts: Vec<&str> = s.split(':').collect();
        if !(2..=3).contains(&parts.len()) {
            return Err(bad());
        }
        let mut nums = [0u64; 3];
        for (i, p) in parts.iter().enumerate() {
            if p.len() != 2 {
                return Err(bad());
            }
            nums[i] = p.parse().map_err(|_| bad())?;
        }
        if nums[0] > 23 || nums[1] > 59 || nums[2] > 59 {
            return Err(bad());
        }
        Ok(TimeOfDay(SimTime::from_secs(nums[0] * 3600 + nums[1] * 60 + nums[2])))
    }
}

/// A delay distribution (SPEC 3.6); samples are in seconds, rounded to the microsecond.
#[derive(Debug, Clone, PartialEq)]
pub enum Dist {
    /// Always the same value.
    Constant(SimTime),
    /// Exponential with this mean.
    Exponential {
        /// Mean, seconds.
        mean: f64,
    },
    /// Uniform on [min, max].
    Uniform {
        /// Least value, seconds.
        min: f64,
        /// Greatest value, seconds.
        max: f64,
    },
    /// Lognormal with this median and shape sigma.
    LogNormal {
        /// Median, seconds.
        median: f64,
        /// Shape: the standard deviation of the logarithm.
        sigma: f64,
    },
    /// Normal truncated at zero.
    Normal {
        /// Mean, seconds.
        mean: f64,
        /// Standard deviation, seconds.
        sd: f64,
    },
    /// Gamma with this shape and mean.
    Gamma {
        /// Shape.
        shape: f64,
        /// Mean, seconds.
        mean: f64,
    },
    /// Weibull with this shape and scale.
    Weibull {
        /// Shape.
        shape: f64,
        /// Scale, seconds.
        scale: f64,
    },
    /// One of these values, equally likely.
    Empirical(Vec<SimTime>),
}

/// A distribution ready to sample: parameters checked and sampler built once.
#[derive(Debug, Clone)]
pub enum Sampler {
    /// See [`Dist::Constant`].
    Constant(SimTime),
    /// See [`Dist::Exponential`].
    Exponential(Exp<f64>),
    /// See [`Dist::Uniform`].
    Uniform {
        /// Least value, seconds.
        min: f64,
        /// Greatest less least value, seconds.
        width: f64,
    },
    /// See [`Dist::LogNormal`].
    LogNormal(LogNormal<f64>),
    /// See [`Dist::Normal`].
    Normal(Normal<f64>),
    /// See [`Dist::Gamma`].
    Gamma(Gamma<f64>),
    /// See [`Dist::Weibull`].
    Weibull(Weibull<f64>),
    /// See [`Dist::Empirical`].
    Empirical(Vec<SimTime>),
}

impl Dist {
    /// The mean in seconds (for the analytic estimates of `smsim check`).
    pub fn mean_secs(&self) -> f64 {
        match self {
            Dist::Constant(t) => t.as_secs_f64(),
            Dist::Exponential { mean } => *mean,
            Dist::Uniform { min, max } => (min + max) / 2.0,
            Dist::LogNormal { median, sigma } => median * (sigma * sigma / 2.0).exp(),
            Dist::Normal { mean, .. } => *mean,
            Dist::Gamma { mean, .. } => *mean,
            Dist::Weibull { shape, scale } => scale * gamma_fn(1.0 + 1.0 / shape),
            Dist::Empirical(v) => v.iter().map(|t| t.as_secs_f64()).sum::<f64>() / v.len() as f64,
        }
    }

    /// Build the sampler; parameters were checked when the value was read.
    pub fn sampler(&self) -> Sampler {
        match self {
            Dist::Constant(t) => Sampler::Constant(*t),
            Dist::Exponential { mean } => {
                if *mean == 0.0 {
                    Sampler::Constant(SimTime::ZERO)
                } else {
                    Sampler::Exponential(Exp::new(1.0 / mean).expect("checked"))
                }
            }
            Dist::Uniform { min, max } => Sampler::Uniform { min: *min, width: max - min },
            Dist::LogNormal { median, sigma } => {
                Sampler::LogNormal(LogNormal::new(median.ln(), *sigma).expect("checked"))
            }
            Dist::Normal { mean, sd } => Sampler::Normal(Normal::new(*mean, *sd).expect("checked")),
            Dist::Gamma { shape, mean } => Sampler::Gamma(Gamma::new(*shape, mean / shape).expect("checked")),
            Dist::Weibull { shape, scale } => Sampler::Weibull(Weibull::new(*scale, *shape).expect("checked")),
            Dist::Empirical(v) => Sampler::Empirical(v.clone()),
        }
    }
}

impl Sampler {
    /// One draw.
    #[inline]
    pub fn sample(&self, rng: &mut Stream) -> SimTime {
        let secs = match self {
            Sampler::Constant(t) => return *t,
            Sampler::Exponential(d) => d.sample(rng),
            Sampler::Uniform { min, width } => min + width * unit(rng),
            Sampler::LogNormal(d) => d.sample(rng),
            Sampler::Normal(d) => {
                // Truncation at zero by rejection; the mean is >= 0, so each draw is kept
                // with probability >= 1/2 and 64 tries fail with probability <= 2^-64.
                let mut x = 0.0;
                for _ in 0..64 {
                    x = d.sample(rng);
                    if x >= 0.0 {
                        break;
                    }
                }
                x.max(0.0)
            }
            Sampler::Gamma(d) => d.sample(rng),
            Sampler::Weibull(d) => d.sample(rng),
            Sampler::Empirical(v) => return v[(unit(rng) * v.len() as f64) as usize % v.len()],
        };
        SimTime::from_secs_f64(secs)
    }
}

/// Lanczos approximation of the gamma function (for the Weibull mean only).
fn gamma_fn(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        std::f64::consts::PI / ((std::f64::consts::PI * x).sin() * gamma_fn(1.0 - x))
    } else {
        let x = x - 1.0;
        let t = x + 7.5;
        let a = G.iter().enumerate().skip(1).fold(G[0], |a, (i, g)| a + g / (x + i as f64));
        (2.0 * std::f64::consts::PI).sqrt() * t.powf(x + 0.5) * (-t).exp() * a
    }
}

fn dur_secs(v: &toml::Value, key: &str) -> Result<f64, String> {
    let t = match v {
        toml::Value::String(s) => parse_duration(s)?,
        toml::Value::Integer(i) => secs_to_time(*i as f64)?,
        toml::Value::Float(f) => secs_to_time(*f)?,
        _ => return Err(format!("`{key}` must be a duration such as \"90s\" or a number of seconds")),
    };
    Ok(t.as_secs_f64())
}

fn num(v: &toml::Value, key: &str) -> Result<f64, String> {
    match v {
        toml::Value::Integer(i) => Ok(*i as f64),
        toml::Value::Float(f) if f.is_finite() => Ok(*f),
        _ => Err(format!("`{key}` must be a number")),
    }
}

fn dist_from_table(t: &toml::Table) -> Result<Dist, String> {
    let kind = match t.get("dist") {
        Some(toml::Value::String(s)) => s.as_str(),
        Some(_) => return Err("`dist` must be a string".into()),
        None => return Err("a distribution table needs `dist` (constant, exponential, uniform, lognormal, normal, gamma, weibull or empirical)".into()),
    };
    let allowed: &[&str] = match kind {
        "constant" => &["value"],
        "exponential" => &["mean"],
        "uniform" => &["min", "max"],
        "lognormal" => &["median", "sigma"],
        "normal" => &["mean", "sd"],
        "gamma" => &["shape", "mean"],
        "weibull" => &["shape", "scale"],
        "empirical" => &["values"],
        other => {
            return Err(format!(
                "unknown distribution \"{other}\", expected one of constant, exponential, uniform, lognormal, normal, gamma, weibull, empirical"
            ));
        }
    };
    for k in t.keys() {
        if k != "dist" && !allowed.contains(&k.as_str()) {
            return Err(format!("unknown field `{k}` for dist = \"{kind}\", expected {}", allowed.join(" and ")));
        }
    }
    let get = |k: &str| t.get(k).ok_or_else(|| format!("dist = \"{kind}\" needs `{k}`"));
    let d = match kind {
        "constant" => Dist::Constant(SimTime::from_secs_f64(dur_secs(get("value")?, "value")?)),
        "exponential" => Dist::Exponential { mean: dur_secs(get("mean")?, "mean")? },
        "uniform" => {
            let (min, max) = (dur_secs(get("min")?, "min")?, dur_secs(get("max")?, "max")?);
            if min > max {
                return Err(format!("uniform: min ({min} s) is greater than max ({max} s)"));
            }
            Dist::Uniform { min, max }
        }
        "lognormal" => {
            let median = dur_secs(get("median")?, "median")?;
            let sigma = num(get("sigma")?, "sigma")?;
            if median <= 0.0 || sigma < 0.0 {
                return Err("lognormal needs median > 0 and sigma >= 0".into());
            }
            Dist::LogNormal { median, sigma }
        }
        "normal" => {
            let (mean, sd) = (dur_secs(get("mean")?, "mean")?, dur_secs(get("sd")?, "sd")?);
            Dist::Normal { mean, sd }
        }
        "gamma" => {
            let shape = num(get("shape")?, "shape")?;
            let mean = dur_secs(get("mean")?, "mean")?;
            if shape <= 0.0 || mean <= 0.0 {
                return Err("gamma needs shape > 0 and mean > 0".into());
            }
            Dist::Gamma { shape, mean }
        }
        "weibull" => {
            let shape = num(get("shape")?, "shape")?;
            let scale = dur_secs(get("scale")?, "scale")?;
            if shape <= 0.0 || scale <= 0.0 {
                return Err("weibull needs shape > 0 and scale > 0".into());
            }
            Dist::Weibull { shape, scale }
        }
        "empirical" => {
            let toml::Value::Array(vals) = get("values")? else {
                return Err("empirical `values` must be an array of durations".into());
            };
            if vals.is_empty() {
                return Err("empirical `values` must not be empty".into());
            }
            let v = vals
                .iter()
                .map(|x| dur_secs(x, "values").map(SimTime::from_secs_f64))
                .collect::<Result<Vec<_>, _>>()?;
            Dist::Empirical(v)
        }
        _ => unreachable!("kind checked above"),
    };
    Ok(d)
}

impl<'de> Deserialize<'de> for Dist {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = toml::Value::deserialize(d)?;
        match &v {
            toml::Value::Table(t) => dist_from_table(t),
            // A duration given directly keeps its own reason ("-5s" is negative).
            v @ (toml::Value::String(_) | toml::Value::Integer(_) | toml::Value::Float(_)) => {
                dur_secs(v, "latency").map(|s| Dist::Constant(SimTime::from_secs_f64(s)))
            }
            _ => Err("expected a duration (\"3s\") or a distribution table ({ dist = \"lognormal\", median = \"2s\", sigma = 0.5 })"
                .to_string()),
        }
        .map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(113_599), "113,599");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("250ms").unwrap().as_micros(), 250_000);
        assert_eq!(parse_duration("2h30m").unwrap(), SimTime::from_secs(9000));
        assert_eq!(parse_duration("2d").unwrap(), SimTime::from_secs(172_800));
        assert_eq!(parse_duration("1.5").unwrap().as_micros(), 1_500_000);
        assert!(parse_duration("-5s").is_err());
        assert!(parse_duration("5 parsecs").is_err());
        // Fractions with any documented unit, as the whole-number forms read them.
        assert_eq!(parse_duration("0.001h").unwrap().as_micros(), 3_600_000);
        assert_eq!(parse_duration("0.123d").unwrap().as_micros(), 10_627_200_000);
        assert_eq!(parse_duration("1.5h").unwrap(), parse_duration("1h30m").unwrap());
        assert_eq!(parse_duration("0.5w").unwrap(), parse_duration("3.5d").unwrap());
        assert_eq!(parse_duration("0.5M").unwrap(), SimTime::from_secs(1_315_008));
        assert!(parse_duration("1.5 parsecs").is_err());
    }

    #[test]
    fn rates() {
        assert_eq!(parse_rate("75/min").unwrap(), 1.25);
        assert_eq!(parse_rate("3600/h").unwrap(), 1.0);
        assert_eq!(parse_rate("2.5").unwrap(), 2.5);
        assert!(parse_rate("3/fortnight").is_err());
        assert!(parse_rate("-1/s").is_err());
    }

    #[test]
    fn weibull_mean_uses_gamma() {
        // Shape 1 is the exponential: mean = scale.
        let d = Dist::Weibull { shape: 1.0, scale: 2.0 };
        assert!((d.mean_secs() - 2.0).abs() < 1e-9);
        assert!((gamma_fn(5.0) - 24.0).abs() < 1e-9);
    }
}
