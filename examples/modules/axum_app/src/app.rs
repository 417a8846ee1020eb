//! The application: an ordinary axum `Router`, nothing IIS-specific but the
//! one route that reports the Windows user IIS authenticated.

use axum::extract::{DefaultBodyLimit, Multipart, Path, Query};
use axum::http::StatusCode;
use axum::response::sse::{Event, Sse};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde::{Deserialize, Serialize};
use std::convert::Infallible;
use std::time::Duration;

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
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| (StatusCode::BAD_REQUEST, e.to_string()))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let data = field
            .bytes()
            .await
            .map_err(|e| (StatusCode::BAD_REQUEST, e.to_string()))?;
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
