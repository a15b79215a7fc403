//! One HTTP connection: what it is doing (reading a request head, serving a
//! request, idle between requests), and the watchdog that closes it when
//! it stays too long in a phase.
//!
//! The phase changes where the work happens, with a few atomic operations
//! per request and no lock: the socket's reads notice the first byte of a
//! head, the service notices a head was complete, and the response body
//! notices it was sent (dropped), which for a live stream is when it ends.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::{Bytes, Frame, Incoming, SizeHint};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use hyper_util::service::{TowerToHyperService, TowerToHyperServiceFuture};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::{Notify, mpsc, watch};
use tokio::time::Instant;

use super::Limits;
use crate::server::metrics::Metrics;

const HEAD: u8 = 0;
const BUSY: u8 = 1;
const IDLE: u8 = 2;
const CLOSED: u8 = 3;

/// What a connection is doing, shared by its task and the accept loop.
pub(super) struct Activity {
    /// `HEAD` (waiting for or reading a request head), `BUSY` (a request in
    /// flight, its response included), `IDLE` (between requests), `CLOSED`.
    phase: AtomicU8,
    /// When the phase began, in milliseconds after `opened`.
    since_ms: AtomicU64,
    opened: Instant,
    /// Wakes the watchdog when its deadline moves earlier (a head begins)
    /// or the accept loop evicts the connection.
    wake: Notify,
}

impl Activity {
    /// A new connection owes its first request head from now.
    pub(super) fn new() -> Activity {
        Activity {
            phase: AtomicU8::new(HEAD),
            since_ms: AtomicU64::new(0),
            opened: Instant::now(),
            wake: Notify::new(),
        }
    }

    fn mark_now(&self) {
        self.since_ms.store(self.opened.elapsed().as_millis() as u64, Ordering::Release);
    }

    fn since(&self) -> Instant {
        self.opened + Duration::from_millis(self.since_ms.load(Ordering::Acquire))
    }

    /// Bytes arrived; on an idle connection they begin a request head.
    fn read_some(&self) {
        if self.phase.load(Ordering::Acquire) == IDLE {
            self.mark_now();
            if self.phase.compare_exchange(IDLE, HEAD, Ordering::AcqRel, Ordering::Acquire).is_ok() {
                self.wake.notify_one();
            }
        }
    }

    /// A request head is complete and goes to the router.
    fn busy(&self) {
        let _ = self.phase.fetch_update(Ordering::AcqRel, Ordering::Acquire, |p| (p != CLOSED).then_some(BUSY));
    }

    /// The response has been sent (or abandoned).
    fn done(&self) {
        self.mark_now();
        let _ = self.phase.compare_exchange(BUSY, IDLE, Ordering::AcqRel, Ordering::Acquire);
    }

    fn is_busy(&self) -> bool {
        self.phase.load(Ordering::Acquire) == BUSY
    }

    pub(super) fn is_closed(&self) -> bool {
        self.phase.load(Ordering::Acquire) == CLOSED
    }

    /// For choosing whom to evict: mid-head connections before idle ones,
    /// oldest first; `None` with a request in flight.
    pub(super) fn stalled_since(&self) -> Option<(u8, Instant)> {
        match self.phase.load(Ordering::Acquire) {
            HEAD => Some((0, self.since())),
            IDLE => Some((1, self.since())),
            _ => None,
        }
    }

    /// Closes the connection unless a request has just begun on it.
    pub(super) fn evict(&self) -> bool {
        let evicted = self
            .phase
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |p| matches!(p, HEAD | IDLE).then_some(CLOSED))
            .is_ok();
        if evicted {
            self.wake.notify_one();
        }
        evicted
    }

    /// When the current phase runs out, and what to call that.
    fn deadline(&self, limits: &Limits) -> Option<(Instant, &'static str)> {
        match self.phase.load(Ordering::Acquire) {
            HEAD => Some((self.since() + limits.header_timeout, "header_timeout")),
            IDLE => Some((self.since() + limits.idle_timeout, "idle_timeout")),
            _ => None,
        }
    }
}

/// A connection the accept loop handed over.
pub(super) struct Connection {
    pub(super) peer: SocketAddr,
    pub(super) router: Router,
    pub(super) activity: Arc<Activity>,
    pub(super) limits: Limits,
    pub(super) metrics: Arc<Metrics>,
}

impl Connection {
    /// Serves the connection until the client closes it, a phase runs out,
    /// the accept loop evicts it, or the server stops (then a request in
    /// flight finishes first). `_done` tells the accept loop when it is over.
    pub(super) async fn run(self, stream: TcpStream, mut stopping: watch::Receiver<bool>, _done: mpsc::Sender<()>) {
        let Connection { peer, router, activity, limits, metrics } = self;
        let _open = Open::new(&activity, &metrics);
        let io = TokioIo::new(Watched { stream, activity: activity.clone() });
        let service = Tracked { router: TowerToHyperService::new(router), peer, activity: activity.clone() };
        let mut conn = hyper::server::conn::http1::Builder::new()
            // The watchdog below times heads and idle waits apart; hyper's
            // one timer would also cut idle keep-alive connections at the
            // header timeout.
            .header_read_timeout(None)
            .serve_connection(io, service);
        let sleep = tokio::time::sleep_until(Instant::now());
        tokio::pin!(sleep);
        let (mut draining, mut finished) = (false, false);
        loop {
            if activity.is_closed() {
                break; // evicted
            }
            // A request in flight has no deadline: look again later.
            let at = activity.deadline(&limits).map_or(Instant::now() + limits.idle_timeout, |(at, _)| at);
            if sleep.deadline() != at {
                sleep.as_mut().reset(at);
            }
            tokio::select! {
                biased;
                // Without shutdown: the socket comes back for a lingering close.
                result = std::future::poll_fn(|cx| conn.poll_without_shutdown(cx)) => {
                    match result {
                        Ok(()) => finished = true,
                        Err(error) => tracing::debug!(%peer, %error, "connection ended with an error"),
                    }
                    break;
                }
                () = activity.wake.notified() => {}
                () = sleep.as_mut() => {
                    if let Some((at, reason)) = activity.deadline(&limits)
                        && at <= Instant::now()
                    {
                        metrics.connection_closed(reason);
                        break;
                    }
                }
                _ = stopping.changed(), if !draining => {
                    draining = true;
                    if !activity.is_busy() {
                        break;
                    }
                    // Finish the request in flight, then close.
                    Pin::new(&mut conn).graceful_shutdown();
                }
            }
        }
        if finished {
            linger(conn.into_parts().io.into_inner().stream).await;
        }
    }
}

/// Closes as nginx's lingering close does: stop sending, then read and
/// discard what the client still sends (the rest of a body the server
/// answered early, a 413 say) for a moment. Closing a socket with unread
/// data resets the connection, and the client would see "broken pipe"
/// instead of the answer.
async fn linger(mut stream: TcpStream) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    const FOR: Duration = Duration::from_secs(2);
    const AT_MOST: usize = 64 << 20;
    if stream.shutdown().await.is_err() {
        return;
    }
    let mut buf = vec![0u8; 16 << 10];
    let discard = async {
        let mut total = 0;
        while let Ok(n @ 1..) = stream.read(&mut buf).await {
            total += n;
            if total > AT_MOST {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(FOR, discard).await;
}

/// Counts the connection as open while it lives and marks it closed after.
struct Open<'a> {
    activity: &'a Activity,
    metrics: &'a Metrics,
}

impl<'a> Open<'a> {
    fn new(activity: &'a Activity, metrics: &'a Metrics) -> Open<'a> {
        metrics.connections.inc();
        Open { activity, metrics }
    }
}

impl Drop for Open<'_> {
    fn drop(&mut self) {
        self.activity.phase.store(CLOSED, Ordering::Release);
        self.metrics.connections.dec();
    }
}

/// The socket, noticing when bytes arrive.
struct Watched {
    stream: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        ready!(Pin::new(&mut self.stream).poll_read(cx, buf))?;
        if buf.filled().len() > before {
            self.activity.read_some();
        }
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for Watched {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// The router, noticing when a request begins and (through the body it
/// answers with) when its response has been sent; it also gives handlers
/// `ConnectInfo<SocketAddr>`.
struct Tracked {
    router: TowerToHyperService<Router>,
    peer: SocketAddr,
    activity: Arc<Activity>,
}

impl hyper::service::Service<Request<Incoming>> for Tracked {
    type Response = Response<TrackedBody>;
    type Error = Infallible;
    type Future = TrackedFuture;

    fn call(&self, mut request: Request<Incoming>) -> TrackedFuture {
        self.activity.busy();
        request.extensions_mut().insert(ConnectInfo(self.peer));
        TrackedFuture { inner: self.router.call(request), in_flight: Some(InFlight(self.activity.clone())) }
    }
}

pin_project_lite::pin_project! {
    struct TrackedFuture {
        #[pin]
        inner: TowerToHyperServiceFuture<Router, Request<Incoming>>,
        in_flight: Option<InFlight>,
    }
}

impl Future for TrackedFuture {
    type Output = Result<Response<TrackedBody>, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let response = match ready!(this.inner.poll(cx)) {
            Ok(response) => response,
            Err(never) => match never {},
        };
        let in_flight = this.in_flight.take();
        Poll::Ready(Ok(response.map(|body| TrackedBody { body, _in_flight: in_flight })))
    }
}

/// A request in flight; dropped with its response body.
struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.done();
    }
}

/// A response body that ends the request's `BUSY` phase when dropped.
struct TrackedBody {
    body: axum::body::Body,
    _in_flight: Option<InFlight>,
}

impl hyper::body::Body for TrackedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}
