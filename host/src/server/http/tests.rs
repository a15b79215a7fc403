//! The listener in-process: handlers see the client's address.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::routing::get;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::{Limits, serve};
use crate::server::metrics::Metrics;

#[tokio::test]
async fn handlers_see_the_clients_address() {
    let router =
        Router::new().route("/peer", get(|ConnectInfo(peer): ConnectInfo<SocketAddr>| async move { peer.to_string() }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, router, Limits::default(), Arc::new(Metrics::new()), async {
        let _ = stopped.await;
    }));

    let mut client = tokio::net::TcpStream::connect(addr).await.unwrap();
    let me = client.local_addr().unwrap();
    client.write_all(b"GET /peer HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n").await.unwrap();
    let mut answer = String::new();
    client.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with(&me.to_string()), "the handler saw {me}: {answer}");

    let _ = stop.send(());
    server.await.unwrap();
}
