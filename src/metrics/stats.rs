//! Statistics over runs: mean, sample standard deviation and a Student t interval.

use statrs::distribution::{ContinuousCDF, StudentsT};

/// Mean, sample standard deviation and 95% interval of a sample, as far as its size
/// defines them.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Interval {
    /// Mean (none for no values).
    pub mean: Option<f64>,
    /// Sample standard deviation (two values or more).
    pub sd: Option<f64>,
    /// Lower end of the Student t 95% interval of the mean.
    pub low: Option<f64>,
    /// Upper end.
    pub high: Option<f64>,
}

/// The [`Interval`] of `xs`.
pub fn interval(xs: &[f64]) -> Interval {
    let n = xs.len();
    if n == 0 {
        return Interval::default();
    }
    let mean = xs.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return Interval { mean: Some(mean), ..Interval::default() };
    }
    let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt();
    let t = StudentsT::new(0.0, 1.0, (n - 1) as f64).expect("n >= 2 degrees of freedom").inverse_cdf(0.975);
    let half = t * sd / (n as f64).sqrt();
    Interval { mean: Some(mean), sd: Some(sd), low: Some(mean - half), high: Some(mean + half) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn student_t_interval_matches_tables() {
        // n = 5: t(0.975, 4) = 2.776445; values 1..5: mean 3, sd 1.5811388.
        let i = interval(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(i.mean, Some(3.0));
        assert!((i.sd.unwrap() - 1.581_138_8).abs() < 1e-6);
        let half = 2.776_445 * 1.581_138_8 / 5f64.sqrt();
        assert!((i.low.unwrap() - (3.0 - half)).abs() < 1e-5 && (i.high.unwrap() - (3.0 + half)).abs() < 1e-5);
        assert_eq!(interval(&[7.0]), Interval { mean: Some(7.0), ..Interval::default() });
    }
}
