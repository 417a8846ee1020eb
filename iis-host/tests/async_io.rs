//! Asynchronous reads, writes and flushes (`fAsync = TRUE`): they report
//! their completion as pending, and the result reaches the module later, on
//! a pool thread, through `OnAsyncCompletion` or the completion routine of
//! the callback forms, as in IIS.

mod support;

use std::ffi::c_void;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

use http::Request;
use iis_host::{Host, Transcript};
use iis_sys::*;
use support::{Call, Counters, Script, calls};

fn run(name: &str, register: PFN_REGISTERMODULE, request: Request<Vec<u8>>) -> Transcript {
    Host::builder()
        .module_fn(name, register)
        .build()
        .expect("the module registers")
        .run(request)
}

/// The read buffer of `READS` (it must outlive each pending read).
static READ_BUFFER: Mutex<[u8; 5]> = Mutex::new([0; 5]);
/// The threads `READS`'s completions ran on.
static COMPLETION_THREADS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Starts the next read of `READS`: `PENDING` while one is under way, the
/// end of the request at the end of the body.
fn read_next(call: &Call) -> REQUEST_NOTIFICATION_STATUS {
    let started = calls::read_async(call.context, &mut *READ_BUFFER.lock().unwrap());
    if started.hr == HRESULT_ERROR_HANDLE_EOF {
        assert!(!started.pending, "the end of the body is reported inline");
        calls::write(call.context, b"|end");
        return RQ_NOTIFICATION_FINISH_REQUEST;
    }
    assert_eq!(started.hr, S_OK);
    assert!(started.pending, "an asynchronous read completes later");
    assert_eq!(started.bytes, 0, "the count comes with the completion");
    RQ_NOTIFICATION_PENDING
}

static READS_COUNTERS: Counters = Counters::new();
static READS: Script = Script {
    on_request: |call| match call.notification {
        iis_host::Notification::ExecuteRequestHandler => read_next(call),
        iis_host::Notification::AsyncCompletion => {
            let thread = std::thread::current().name().unwrap_or("").to_owned();
            COMPLETION_THREADS.lock().unwrap().push(thread);
            assert_eq!(call.status, S_OK);
            let chunk = READ_BUFFER.lock().unwrap()[..call.bytes as usize].to_vec();
            calls::write(call.context, &chunk);
            calls::write(call.context, b",");
            read_next(call)
        }
        _ => RQ_NOTIFICATION_CONTINUE,
    },
    ..Script::new(RQ_EXECUTE_REQUEST_HANDLER, 0, &READS_COUNTERS)
};
module!(register_reads, READS);

#[test]
fn an_asynchronous_read_completes_later_through_on_async_completion() {
    let upload = b"hello async world".to_vec();
    let t = run(
        "reads",
        register_reads,
        Request::post("/upload").body(upload).unwrap(),
    );
    assert_eq!(t.status, 200);
    assert_eq!(t.body_text(), "hello, asyn,c wor,ld,|end");
    assert_eq!(
        t.notification_lines(),
        [
            "reads: OnExecuteRequestHandler -> PENDING",
            "reads: OnAsyncCompletion -> PENDING",
            "reads: OnAsyncCompletion -> PENDING",
            "reads: OnAsyncCompletion -> PENDING",
            "reads: OnAsyncCompletion -> FINISH_REQUEST",
        ]
    );
    let threads = COMPLETION_THREADS.lock().unwrap();
    assert_eq!(threads.len(), 4);
    assert!(
        threads.iter().all(|t| t == "iis-host-worker"),
        "completions run on the pool: {threads:?}"
    );
}

/// What `ROUTINE_WRITES`'s completion routine saw: its bytes, and whether
/// its context came back.
static ROUTINE_BYTES: AtomicU32 = AtomicU32::new(u32::MAX);
static ROUTINE_CONTEXT: u8 = 7;

unsafe extern "system" fn write_done(
    context: *mut IHttpContext3,
    info: *mut IHttpCompletionInfo2,
    routine_context: *mut c_void,
) -> REQUEST_NOTIFICATION_STATUS {
    assert_eq!(
        routine_context.cast_const(),
        (&raw const ROUTINE_CONTEXT).cast()
    );
    // SAFETY: the host's completion info, live for the call.
    let bytes = unsafe { ((*(*info).lpVtbl).base.GetCompletionBytes)(info.cast()) };
    ROUTINE_BYTES.store(bytes, Ordering::SeqCst);
    calls::write(context.cast(), b" (routine)");
    RQ_NOTIFICATION_FINISH_REQUEST
}

static ROUTINE_WRITES_COUNTERS: Counters = Counters::new();
static ROUTINE_WRITES: Script = Script {
    on_request: |call| match call.notification {
        iis_host::Notification::ExecuteRequestHandler => {
            let started = calls::write_async(
                call.context,
                b"written",
                Some(write_done),
                (&raw const ROUTINE_CONTEXT).cast_mut().cast(),
            );
            assert_eq!((started.hr, started.pending), (S_OK, true));
            RQ_NOTIFICATION_PENDING
        }
        iis_host::Notification::AsyncCompletion => {
            panic!("the completion routine replaces OnAsyncCompletion")
        }
        _ => RQ_NOTIFICATION_CONTINUE,
    },
    ..Script::new(RQ_EXECUTE_REQUEST_HANDLER, 0, &ROUTINE_WRITES_COUNTERS)
};
module!(register_routine_writes, ROUTINE_WRITES);

#[test]
fn a_completion_routine_gets_an_asynchronous_write_instead_of_on_async_completion() {
    let t = run(
        "routine",
        register_routine_writes,
        Request::get("/").body(Vec::new()).unwrap(),
    );
    assert_eq!(ROUTINE_BYTES.load(Ordering::SeqCst), 7);
    assert_eq!(t.body_text(), "written (routine)");
    assert_eq!(
        t.notification_lines(),
        [
            "routine: OnExecuteRequestHandler -> PENDING",
            "routine: OnAsyncCompletion -> FINISH_REQUEST",
        ]
    );
}

static FLUSHES_COUNTERS: Counters = Counters::new();
static FLUSHES: Script = Script {
    on_request: |call| match call.notification {
        iis_host::Notification::ExecuteRequestHandler => {
            calls::write(call.context, b"0123456789");
            let started = calls::flush_async(call.context);
            assert_eq!((started.hr, started.pending), (S_OK, true));
            RQ_NOTIFICATION_PENDING
        }
        iis_host::Notification::AsyncCompletion => {
            calls::write(call.context, format!("|flushed {}", call.bytes).as_bytes());
            RQ_NOTIFICATION_CONTINUE
        }
        _ => RQ_NOTIFICATION_CONTINUE,
    },
    ..Script::new(RQ_EXECUTE_REQUEST_HANDLER, 0, &FLUSHES_COUNTERS)
};
module!(register_flushes, FLUSHES);

#[test]
fn an_asynchronous_flush_completes_with_the_bytes_it_sent() {
    let t = run(
        "flushes",
        register_flushes,
        Request::get("/").body(Vec::new()).unwrap(),
    );
    assert_eq!(t.body_text(), "0123456789|flushed 10");
    assert_eq!(t.header("Content-Length"), None, "flushed before the end");
    assert_eq!(
        t.notification_lines(),
        [
            "flushes: OnExecuteRequestHandler -> PENDING",
            "flushes: OnAsyncCompletion -> CONTINUE",
        ]
    );
}
