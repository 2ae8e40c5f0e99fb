//! Scenario files: TOML text -> overrides applied -> raw serde structs -> a validated
//! [`Scenario`] with defaults filled and ids resolved to indices.
//!
//! Every error is located: the path of the offending key (`number.lc.mps`, with array
//! entries named by their `id`) is looked up in the original text for its line and column.

pub mod defaults;
mod locate;
pub mod protect;
pub(crate) mod raw;
mod resolve;
mod resolve_calendar;
mod resolve_countries;
mod resolve_limits;
mod resolve_two_way;
pub mod set;
pub mod units;
mod variant;
pub mod warnings;
pub(crate) mod when;

pub use crate::calendar::{Calendar, Zone};
use crate::engine::SimTime;
use crate::error::{Error, Result};
pub use crate::sms::retry::RetryPolicy;
use crate::sms::segments::Encoding;
pub use crate::sms::{Backoff, Kind, KindTable, Money, Protocol};
use locate::{line_col, locate, segs_of, span_of};
pub use protect::Protect;
pub use raw::{Action, OnCap, Recipients, Selection};
use std::path::Path;
use toml::de::DeTable;
pub use units::Dist;
pub use variant::variant_paths;
use variant::{apply_variant, check_variants};
pub use when::{SendWindow, Shape};

/// A validated scenario, ready to simulate.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The file it came from, as given on the command line.
    pub file: String,
    /// `simulation.name` (default: the file stem).
    pub name: String,
    /// The run's seed.
    pub seed: u64,
    /// When the run stops.
    pub horizon: SimTime,
    /// Bucket width of `timeseries.csv`.
    pub metrics_interval: SimTime,
    /// Wall-clock time of day at t = 0, as a span since midnight.
    pub start_time_of_day: SimTime,
    /// The date, time and zone of t = 0, with `[simulation] start`.
    pub calendar: Option<Calendar>,
    /// Time zones named anywhere in the scenario; 0 is `[simulation] time_zone`.
    pub zones: Vec<Zone>,
    /// Destination countries; without `[[country]]`, one: the US, with every customer.
    pub countries: Vec<Country>,
    /// Whether the file declares `[[country]]`.
    pub declares_countries: bool,
    /// The month's spend limit.
    pub spend_limit: Money,
    /// Already spent this month at t = 0.
    pub spent: Money,
    /// Months over which setup fees are spread in the monthly run rate (SPEC 8).
    pub amortize_setup_months: u32,
    /// SMS pumping protection: blocked countries and a fraud filter (SPEC 8).
    pub protect: Protect,
    /// Number pools.
    pub pools: Vec<Pool>,
    /// Carriers.
    pub carriers: Vec<Carrier>,
    /// The customer population.
    pub customers: Customers,
    /// Message templates (one per campaign and traffic source, in that order).
    pub templates: Vec<Template>,
    /// Blasts.
    pub campaigns: Vec<Campaign>,
    /// Poisson streams.
    pub traffic: Vec<Traffic>,
    /// Topics that inbound messages are published to.
    pub topics: Vec<Topic>,
    /// Business logic run by subscription handlers.
    pub flows: Vec<Flow>,
    /// Flow outcome labels, in order of first appearance.
    pub outcomes: Vec<String>,
    /// Every shared limit: the account's, pools' carrier limits, `[[limit]]`s.
    pub limits: Vec<Limit>,
    /// Opt-out list names, by index.
    pub opt_out_lists: Vec<String>,
    /// Sources of outbound requests, by index: campaigns, traffic, keywords, flows.
    pub sources: Vec<RequestSource>,
    /// Which variant this is: `base`, or a `[[variant]]` name.
    pub variant: String,
    /// Names of the file's `[[variant]]` entries, in order.
    pub variants: Vec<String>,
}

/// A keyword of a number pool (SPEC 3.8).
#[derive(Debug, Clone)]
pub struct Keyword {
    /// The word, upper case.
    pub word: String,
    /// What it does.
    pub action: Action,
    /// The response's template index.
    pub template: usize,
    /// Its source index (`keyword:<WORD>`).
    pub source: usize,
}

/// A topic and its subscriptions (SPEC 3.9).
#[derive(Debug, Clone)]
pub struct Topic {
    /// Unique id.
    pub id: String,
    /// Pools whose inbound messages are published here.
    pub pools: Vec<usize>,
    /// Its subscriptions.
    pub subscriptions: Vec<Subscription>,
}

/// One subscription of a topic.
#[derive(Debug, Clone)]
pub struct Subscription {
    /// Unique id within the scenario.
    pub id: String,
    /// Protocol.
    pub protocol: Protocol,
    /// Processing time of one successful delivery.
    pub latency: Dist,
    /// Probability an attempt fails transiently.
    pub failure_rate: f64,
    /// Outages `[from, to)`, sorted: every attempt in one fails.
    pub outages: Vec<(SimTime, SimTime)>,
    /// Deliveries in progress at once.
    pub concurrency: u32,
    /// Delivery retry policy.
    pub retry: RetryPolicy,
    /// Exhausted deliveries go to a dead-letter queue rather than being dropped.
    pub dead_letter_queue: bool,
    /// Flow index run on each successful delivery.
    pub handler: Option<usize>,
}

/// A flow: rules tried in order on each delivered inbound message (SPEC 3.10).
#[derive(Debug, Clone)]
pub struct Flow {
    /// Unique id.
    pub id: String,
    /// Rules, first match wins.
    pub rules: Vec<Rule>,
    /// Its source index (`flow:<id>`).
    pub source: usize,
}

/// One rule of a flow.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Upper-case first words that match; `"*"` matches anything.
    pub when: Vec<String>,
    /// Response template index.
    pub template: Option<usize>,
    /// Outcome index into [`Scenario::outcomes`].
    pub outcome: Option<usize>,
}

/// The keyword matched by an inbound `body` on `pool`: its first whitespace-delimited
/// word, compared case-insensitively.
pub fn first_word(body: &str) -> &str {
    body.split_whitespace().next().unwrap_or("")
}

/// A pool of identical origination numbers.
#[derive(Debug, Clone)]
pub struct Pool {
    /// Unique id.
    pub id: String,
    /// Kind of number.
    pub kind: Kind,
    /// Numbers in the pool.
    pub count: u32,
    /// ISO country code.
    pub country: String,
    /// Parts per second per number.
    pub mps: f64,
    /// Whether the numbers receive.
    pub two_way: bool,
    /// How a number is picked.
    pub selection: Selection,
    /// Most parts waiting per number.
    pub queue_limit: Option<u64>,
    /// Message time to live from request.
    pub ttl: SimTime,
    /// Outbound base price per part.
    pub price_per_part: Money,
    /// Inbound price per part.
    pub inbound_price_per_part: Money,
    /// Lease per number per 30-day month.
    pub monthly_lease: Money,
    /// Fee per pool per 30-day month.
    pub monthly_fee: Money,
    /// One-time fee per pool.
    pub setup_fee: Money,
    /// Spans `[from, to)`, sorted, in which nothing is transmitted from the pool.
    pub outages: Vec<(SimTime, SimTime)>,
    /// The pool that takes requests this one cannot (in an outage, or over its queue limit).
    pub failover: Option<usize>,
    /// Index of its opt-out list in [`Scenario::opt_out_lists`].
    pub opt_out_list: usize,
    /// The calling code of its country, for its numbers' addresses.
    pub calling_code: String,
    /// Whether it may send to each country (by index), by country and kind.
    pub reaches: Vec<bool>,
    /// Outbound base price per part to each country (by index).
    pub price_to: Vec<Money>,
    /// Inbound price per part from each country (by index).
    pub inbound_price_from: Vec<Money>,
    /// Keywords (built-in and declared), for a two-way pool.
    pub keywords: Vec<Keyword>,
}

/// A limit on parts, shared by every number it covers (SPEC 6.1-6.2): the account's MPS, a
/// pool's `carrier_limit`, or a `[[limit]]` across pools.
#[derive(Debug, Clone)]
pub struct Limit {
    /// `account`, `<pool id>.<carrier id>` for a carrier limit, or the `[[limit]]`'s id.
    pub id: String,
    /// Where it was declared.
    pub scope: LimitScope,
    /// Pool indices it covers.
    pub pools: Vec<usize>,
    /// The carrier it covers; every carrier when none.
    pub carrier: Option<usize>,
    /// Parts per second, shared, paced without burst.
    pub mps: Option<f64>,
    /// Caps on parts per window.
    pub caps: Vec<Cap>,
    /// What happens at a cap.
    pub on_cap: OnCap,
}

/// Where a limit was declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitScope {
    /// `[account] mps`.
    Account,
    /// A pool's `carrier_limit`.
    Pool,
    /// A `[[limit]]`.
    Shared,
}

/// A cap on parts per window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cap {
    /// The window.
    pub window: Window,
    /// Parts allowed in each.
    pub parts: u64,
}

/// A cap's window (SPEC 6.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// From midnight to midnight.
    Day,
    /// From a Monday midnight (the first midnight without a calendar) for 7 days.
    Week,
    /// 30 days from t = 0.
    Month,
}

impl Window {
    /// Its name in keys and messages.
    pub fn name(self) -> &'static str {
        match self {
            Window::Day => "daily",
            Window::Week => "weekly",
            Window::Month => "monthly",
        }
    }
}

/// A source of outbound requests, as `sources.csv` names it (SPEC 6.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestSource {
    /// `campaign:<id>`, `traffic:<id>`, `keyword:<WORD>` or `flow:<id>`.
    pub name: String,
    /// Its template's priority (a keyword's first declaration's).
    pub priority: u8,
    /// Whether it is workload (a campaign or traffic) rather than a response.
    pub workload: bool,
    /// Whether it is a fraud source (SPEC 8).
    pub fraud: bool,
}

/// A carrier network.
#[derive(Debug, Clone)]
pub struct Carrier {
    /// Unique id.
    pub id: String,
    /// Share of customers.
    pub share: f64,
    /// Transmission to handset.
    pub latency: Dist,
    /// Handset to number.
    pub inbound_latency: Dist,
    /// Probability a transmitted message fails.
    pub failure_rate: f64,
    /// Outbound surcharge per part, by number kind.
    pub fee_per_part: KindTable<Money>,
    /// Inbound surcharge per part, by number kind.
    pub inbound_fee_per_part: KindTable<Money>,
    /// Outages `[from, to)`, sorted.
    pub outages: Vec<(SimTime, SimTime)>,
}

/// The customer population.
#[derive(Debug, Clone)]
pub struct Customers {
    /// How many.
    pub count: u32,
    /// Share of handsets that never receive.
    pub unreachable: f64,
    /// Share already opted out at t = 0.
    pub opted_out: f64,
    /// Time zones by share: `(zone index, share)`; one zone when not given.
    pub time_zones: Vec<(usize, f64)>,
}

/// A destination country (SPEC 7.3).
#[derive(Debug, Clone)]
pub struct Country {
    /// ISO 3166 alpha-2 code.
    pub id: String,
    /// Share of customers.
    pub share: f64,
    /// Calling code, digits.
    pub calling_code: String,
    /// Carriers serving it (indices), with their shares summing to 1.
    pub carriers: Vec<usize>,
    /// Its customers' time zones by share: `(zone index, share)`.
    pub time_zones: Vec<(usize, f64)>,
    /// Number kinds that may send to it.
    pub kinds: Vec<Kind>,
}

/// A message the business sends, and how customers answer it.
#[derive(Debug, Clone)]
pub struct Template {
    /// Text.
    pub body: String,
    /// Its encoding.
    pub encoding: Encoding,
    /// Parts it takes (1 to 10).
    pub parts: u32,
    /// What a customer answers.
    pub replies: Vec<Reply>,
    /// 1 (most urgent) to 9.
    pub priority: u8,
    /// When it may be sent, in the recipient's local time.
    pub window: Option<SendWindow>,
    /// A message dearer than this ends `blocked_protect` (SPEC 8).
    pub max_price: Option<Money>,
}

/// One possible answer to a template.
#[derive(Debug, Clone)]
pub struct Reply {
    /// Text.
    pub body: String,
    /// Probability.
    pub p: f64,
    /// Delay after delivery.
    pub after: Dist,
    /// Parts it takes.
    pub parts: u32,
    /// Its first word, upper case: what keywords and flow rules match.
    pub word: String,
}

/// A blast to the first `recipients` customers.
#[derive(Debug, Clone)]
pub struct Campaign {
    /// Unique id.
    pub id: String,
    /// Its source index.
    pub source: usize,
    /// Pool index: the first of `from`.
    pub pool: usize,
    /// Pools tried in order for each request (SPEC 7.3).
    pub from: Vec<usize>,
    /// Template index.
    pub template: usize,
    /// First blast.
    pub at: SimTime,
    /// Customers 0 to recipients - 1.
    pub recipients: u32,
    /// Requests arrive evenly over this span.
    pub spread: SimTime,
    /// Repeat period, if any.
    pub every: Option<SimTime>,
    /// With a calendar and an `every` of whole days: that many days, repeated at the same
    /// local time.
    pub every_days: Option<i64>,
    /// Last time a repeat may start.
    pub until: SimTime,
}

/// A Poisson stream of requests to random customers.
#[derive(Debug, Clone)]
pub struct Traffic {
    /// Unique id.
    pub id: String,
    /// Its source index.
    pub source: usize,
    /// Pool index: the first of `from`.
    pub pool: usize,
    /// Pools tried in order for each request (SPEC 7.3).
    pub from: Vec<usize>,
    /// Template index.
    pub template: usize,
    /// Requests per second (at a factor of 1).
    pub rate: f64,
    /// How the rate varies by time of day and weekday.
    pub shape: Option<Shape>,
    /// First possible arrival.
    pub start: SimTime,
    /// No arrival after this.
    pub end: SimTime,
    /// A fraud source's country (index): its requests go to new customers there (SPEC 8).
    pub fraud: Option<usize>,
}

impl Scenario {
    /// What keeping the pools costs over the horizon: leases and monthly fees prorated
    /// (30-day month), and setup fees.
    pub fn fixed_costs(&self) -> (Money, Money) {
        let monthly = self.pools.iter().map(|p| p.monthly_lease.times(p.count as u64) + p.monthly_fee).sum();
        let setup = self.pools.iter().map(|p| p.setup_fee).sum();
        (crate::sms::price::prorated(monthly, self.horizon), setup)
    }

    /// The first pool of `from` that may send to customers of country `country` (SPEC 7.3).
    #[inline]
    pub fn route(&self, from: &[usize], country: usize) -> Option<usize> {
        from.iter().copied().find(|&p| self.pools[p].reaches[country])
    }

    /// What the pools cost per 30-day month: every lease and monthly fee for a full month,
    /// and the setup fees spread over `amortize_setup_months` (SPEC 8), each rounded to
    /// the micro-dollar.
    pub fn monthly_fixed_costs(&self) -> (Money, Money) {
        let monthly = self.pools.iter().map(|p| p.monthly_lease.times(p.count as u64) + p.monthly_fee).sum();
        let setup: Money = self.pools.iter().map(|p| p.setup_fee).sum();
        let n = self.amortize_setup_months as i64;
        (monthly, Money((2 * setup.micros() + n).div_euclid(2 * n)))
    }

    /// Time of the repeats of campaign `c`.
    pub fn campaign_starts<'a>(&'a self, c: &'a Campaign) -> impl Iterator<Item = SimTime> + 'a {
        (0u64..).map_while(move |k| self.repeat(c, k))
    }

    /// When repeat `k` (0 the first blast) of campaign `c` starts, if it does: `every`
    /// later each time, or with a calendar and whole days, at the same local time.
    pub fn repeat(&self, c: &Campaign, k: u64) -> Option<SimTime> {
        let t = match (c.every, c.every_days, &self.calendar) {
            (_, _, _) if k == 0 => c.at,
            (None, _, _) => return None,
            (Some(_), Some(days), Some(cal)) => cal.days_later(c.at, days.checked_mul(k as i64)?)?,
            (Some(e), _, _) => SimTime::from_micros(c.at.as_micros().checked_add(e.as_micros().checked_mul(k)?)?),
        };
        // A blast at or after the horizon would make requests nothing can send.
        (t <= c.until && t < self.horizon).then_some(t)
    }

    /// The instants after t = 0 (up to a week past the horizon) at which a day or a week
    /// of the caps begins (SPEC 6.2): local midnights with a calendar, else midnights of
    /// `start_time_of_day`'s clock; weeks from a Monday with a calendar, else from the
    /// first midnight.
    pub fn period_starts(&self, window: Window) -> Vec<u64> {
        const DAY: u64 = 86_400_000_000;
        let end = self.horizon.as_micros().saturating_add(8 * DAY);
        match (&self.calendar, window) {
            (_, Window::Month) => (1..).map(|k| k * 30 * DAY).take_while(|&t| t <= end + 30 * DAY).collect(),
            (Some(cal), w) => cal.period_starts(self.horizon, w == Window::Week),
            (None, w) => {
                let first = DAY - self.start_time_of_day.as_micros() % DAY;
                let step = if w == Window::Week { 7 * DAY } else { DAY };
                (0..).map(|k| first + k * step).take_while(|&t| t <= end).collect()
            }
        }
    }
}

/// One step of a key path: a table key or an array index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    /// A key.
    Key(String),
    /// An array index.
    Index(usize),
}

/// A scenario file read from disk: its text, the label errors use, and its file stem
/// (the default `simulation.name`).
#[derive(Debug, Clone)]
pub struct Source {
    /// The file's text.
    pub text: String,
    /// The path as given, for error messages.
    pub label: String,
    /// The file name without extension.
    pub stem: String,
}

/// Read the scenario file at `path`.
pub fn read(path: &Path) -> Result<Source> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "scenario".into());
    Ok(Source { text, label: path.display().to_string(), stem })
}

/// Load and validate the scenario at `path` with `--set` overrides applied.
pub fn load(path: &Path, sets: &[String]) -> Result<Scenario> {
    let src = read(path)?;
    load_str(&src.text, &src.label, &src.stem, sets)
}

/// Load the base scenario at `path` and each of its `[[variant]]`s, base first.
pub fn load_all(path: &Path, sets: &[String]) -> Result<Vec<Scenario>> {
    let src = read(path)?;
    let (text, label, stem) = (&src.text, &src.label, &src.stem);
    let base = load_str(text, label, stem, sets)?;
    let mut all = Vec::with_capacity(1 + base.variants.len());
    for i in 0..base.variants.len() {
        all.push(load_variant(text, label, stem, sets, Some(i))?);
    }
    all.insert(0, base);
    Ok(all)
}

/// Load and validate scenario `text`; `file` labels errors, `stem` is the default name.
pub fn load_str(text: &str, file: &str, stem: &str, sets: &[String]) -> Result<Scenario> {
    load_variant(text, file, stem, sets, None)
}

/// Load `text` with `--set` overrides and then those of `[[variant]]` number `variant`.
pub fn load_variant(text: &str, file: &str, stem: &str, sets: &[String], variant: Option<usize>) -> Result<Scenario> {
    let spanned =
        DeTable::parse(text).map_err(|e| locate::parse_error(text, file, e.span().map(|s| s.start), e.message()))?;
    let mut doc: toml::Table = toml::from_str(text).map_err(|e| locate::toml_error(text, file, e.message()))?;
    let mut overrides = Vec::new();
    for arg in sets {
        let ov = set::parse(arg).map_err(|message| Error::Set { file: file.into(), arg: arg.clone(), message })?;
        set::apply(&mut doc, &ov).map_err(|message| Error::Set { file: file.into(), arg: arg.clone(), message })?;
        overrides.push(ov);
    }
    let variant_name = match variant {
        Some(i) => Some(apply_variant(&mut doc, i, &mut overrides).map_err(|(path, message)| {
            let (line, column) = span_of(&spanned, &path).map(|s| line_col(text, s.start)).unwrap_or((1, 1));
            Error::Scenario { file: file.into(), line, column, message }
        })?),
        None => None,
    };
    let located = |path: Vec<Seg>, message: String| {
        let e = locate(text, file, &spanned, &doc, &overrides, path, message);
        // An error in a variant always names it, wherever it is located.
        match (&variant_name, e) {
            (Some(v), Error::Scenario { file, line, column, message }) if !message.starts_with("variant \"") => {
                Error::Scenario { file, line, column, message: format!("variant \"{v}\": {message}") }
            }
            (_, e) => e,
        }
    };

    let raw: raw::RawScenario = serde_path_to_error::deserialize(toml::Value::Table(doc.clone())).map_err(|e| {
        let mut path = segs_of(e.path());
        let message = e.inner().message().trim().to_string();
        // An unknown key is reported at its parent; point at the key itself.
        if let Some(rest) = message.strip_prefix("unknown field `") {
            if let Some(name) = rest.split('`').next() {
                if path.last() != Some(&Seg::Key(name.to_string())) {
                    path.push(Seg::Key(name.to_string()));
                }
            }
        }
        let keys: Vec<&str> =
            path.iter().filter_map(|s| if let Seg::Key(k) = s { Some(k.as_str()) } else { None }).collect();
        let table = (!keys.is_empty()).then(|| keys.join("."));
        located(path, locate::hinted(locate::plain(&message).replace('`', "\""), table.as_deref()))
    })?;
    let variants = check_variants(&raw).map_err(|(path, message)| located(path, message))?;
    let mut sc = resolve::resolve(raw, file, stem).map_err(|(path, message)| located(path, message))?;
    sc.variant = variant_name.unwrap_or_else(|| "base".to_string());
    sc.variants = variants;
    Ok(sc)
}
