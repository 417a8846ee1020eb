//! The application: an ordinary axum `Router`, nothing IIS-specific but the
//! one route that reports the Windows user IIS authenticated.

use axum::extract::multipart::MultipartError;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, Sse};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde::{Deserialize, Serialize};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// The largest upload `/upload` takes.
const UPLOAD_LIMIT: usize = 16 * 1024 * 1024;

/// The application's routes.
pub fn router() -> Router {
    Router::new()
        .route("/", get(|| async { "hello from axum inside IIS\n" }))
        .route("/users/{id}", get(user))
        .route("/search", get(search))
        .route("/orders", post(order))
        .route("/upload", post(upload))
        .route("/events", get(events))
        .route("/whoami", get(whoami))
        .route("/slow", get(slow))
        .route("/slow/stats", get(slow_stats))
        .with_state(SlowRequests::default())
        .layer(DefaultBodyLimit::max(UPLOAD_LIMIT))
}

#[derive(Serialize)]
struct User {
    id: u64,
    name: String,
}

async fn user(Path(id): Path<u64>) -> Result<Json<User>, StatusCode> {
    if id == 0 {
        return Err(StatusCode::NOT_FOUND);
    }
    Ok(Json(User {
        id,
        name: format!("user {id}"),
    }))
}

#[derive(Deserialize, Serialize)]
struct Search {
    q: String,
    #[serde(default = "first_page")]
    page: u32,
}

fn first_page() -> u32 {
    1
}

async fn search(Query(search): Query<Search>) -> Json<Search> {
    Json(search)
}

#[derive(Deserialize)]
struct Order {
    item: String,
    quantity: u32,
    unit_price_cents: u64,
}

#[derive(Serialize)]
struct Receipt {
    item: String,
    quantity: u32,
    total_cents: u64,
}

async fn order(Json(order): Json<Order>) -> (StatusCode, Json<Receipt>) {
    (
        StatusCode::CREATED,
        Json(Receipt {
            total_cents: order.unit_price_cents * u64::from(order.quantity),
            item: order.item,
            quantity: order.quantity,
        }),
    )
}

#[derive(Serialize)]
struct Uploaded {
    name: String,
    file_name: Option<String>,
    bytes: usize,
    checksum: u64,
}

/// Sums the fields of a multipart upload (sizes and a checksum per field).
async fn upload(mut form: Multipart) -> Result<Json<Vec<Uploaded>>, (StatusCode, String)> {
    let mut fields = Vec::new();
    while let Some(field) = form.next_field().await.map_err(rejection)? {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let data = field.bytes().await.map_err(rejection)?;
        let checksum = data.iter().fold(0u64, |sum, &b| {
            sum.wrapping_mul(31).wrapping_add(u64::from(b))
        });
        fields.push(Uploaded {
            name,
            file_name,
            bytes: data.len(),
            checksum,
        });
    }
    Ok(Json(fields))
}

/// The answer to a broken upload: axum's status for it (`413` past the body
/// limit, `400` for a malformed form) and its explanation.
fn rejection(error: MultipartError) -> (StatusCode, String) {
    (error.status(), error.body_text())
}

/// Five server-sent events, 100 ms apart.
async fn events() -> Sse<impl futures_core::Stream<Item = Result<Event, Infallible>>> {
    Sse::new(ticks::Ticks::new(5, Duration::from_millis(100)))
}

/// Who IIS says the user is (anonymous without Windows authentication).
async fn whoami(user: Option<Extension<iis_tower::WindowsUser>>) -> String {
    match user {
        Some(Extension(user)) => format!("{} ({})\n", user.name, user.authentication_type),
        None => "anonymous\n".to_owned(),
    }
}

/// How long `/slow` works before it answers.
const SLOW_WORK: Duration = Duration::from_secs(30);

/// The longest `/slow/stats` waits for the counts it was asked for.
const STATS_WAIT: Duration = Duration::from_secs(5);

/// The requests to `/slow`: how many are running, how many were cancelled.
#[derive(Clone, Default)]
struct SlowRequests(Arc<watch::Sender<SlowStats>>);

#[derive(Clone, Copy, Default, Serialize)]
struct SlowStats {
    running: u32,
    cancelled: u32,
}

/// Works for 30 s, then answers. A client that leaves before drops the
/// handler's future (under IIS as under `axum::serve`): its work stops
/// there, and [`Running`] counts it as cancelled.
async fn slow(State(requests): State<SlowRequests>) -> &'static str {
    let running = Running::start(requests);
    tokio::time::sleep(SLOW_WORK).await;
    running.finish();
    "finished\n"
}

/// `/slow`'s counts. `?running=N` or `?cancelled=N` waits (up to 5 s) until
/// the count reaches `N`, so a client can wait for a request to start, or
/// for its cancellation, without polling.
async fn slow_stats(
    State(requests): State<SlowRequests>,
    Query(wanted): Query<WantedStats>,
) -> Json<SlowStats> {
    let mut stats = requests.0.subscribe();
    let reached = |now: &SlowStats| {
        wanted.running.is_none_or(|n| now.running >= n)
            && wanted.cancelled.is_none_or(|n| now.cancelled >= n)
    };
    // Answers with the counts as they are when the wait ends, reached or not.
    let _ = tokio::time::timeout(STATS_WAIT, stats.wait_for(reached)).await;
    Json(*stats.borrow())
}

#[derive(Deserialize)]
struct WantedStats {
    running: Option<u32>,
    cancelled: Option<u32>,
}

/// A `/slow` request in progress: counted as running while it lives, and as
/// cancelled if it is dropped before [`finish`](Self::finish).
struct Running {
    requests: SlowRequests,
    finished: bool,
}

impl Running {
    fn start(requests: SlowRequests) -> Self {
        requests.0.send_modify(|stats| stats.running += 1);
        Self {
            requests,
            finished: false,
        }
    }

    fn finish(mut self) {
        self.finished = true;
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let cancelled = !self.finished;
        self.requests.0.send_modify(|stats| {
            stats.running -= 1;
            stats.cancelled += u32::from(cancelled);
        });
    }
}

/// Numbered events on a tokio interval, as a `Stream` for `Sse`.
mod ticks {
    use axum::response::sse::Event;
    use std::convert::Infallible;
    use std::pin::Pin;
    use std::task::{Context, Poll};
    use std::time::Duration;

    pub struct Ticks {
        sent: u32,
        count: u32,
        interval: tokio::time::Interval,
    }

    impl Ticks {
        pub fn new(count: u32, every: Duration) -> Self {
            Self {
                sent: 0,
                count,
                interval: tokio::time::interval(every),
            }
        }
    }

    impl futures_core::Stream for Ticks {
        type Item = Result<Event, Infallible>;

        fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
            if self.sent == self.count {
                return Poll::Ready(None);
            }
            match self.interval.poll_tick(cx) {
                Poll::Pending => Poll::Pending,
                Poll::Ready(_) => {
                    self.sent += 1;
                    let data = format!("tick {}", self.sent);
                    Poll::Ready(Some(Ok(Event::default().event("tick").data(data))))
                }
            }
        }
    }
}
