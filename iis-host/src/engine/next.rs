//! What is still to come for a module in a request: the notifications
//! `IHttpContext::GetNextNotification` may take over and the answer of
//! `IHttpContext::GetIsLastNotification`.
//!
//! The pipeline dispatches in a fixed order of slots (the ten stages before
//! the handler's end, each pre then post; the final SendResponse; LogRequest
//! and EndRequest, pre then post), each slot to its modules in priority
//! order. `RQ_NOTIFICATION_FINISH_REQUEST` skips to the final send (or, in
//! LogRequest, to EndRequest).

use crate::state::RequestCore;
use crate::transcript::Notification;

/// One dispatch: (module index, notification, post).
pub(crate) type Dispatch = (usize, Notification, bool);

/// The dispatch slots in pipeline order.
fn slots() -> Vec<(Notification, bool)> {
    let (main, end) = Notification::STAGES.split_at(10);
    let stage_slots = |stages: &[Notification]| {
        stages
            .iter()
            .flat_map(|&s| [(s, false), (s, true)])
            .collect::<Vec<_>>()
    };
    let mut slots = stage_slots(main);
    slots.push((Notification::SendResponse, false));
    slots.extend(stage_slots(end));
    slots
}

/// The module calling now and the dispatches still to come after the
/// pipeline's current one if it returns `CONTINUE` (or, with `finish`,
/// `FINISH_REQUEST`); `None` outside a pipeline notification.
pub(crate) fn remaining(core: &RequestCore, finish: bool) -> Option<(usize, Vec<Dispatch>)> {
    let (outer, inner, disabled, merged, sent) = core.with_state(|s| {
        Some((
            *s.flow.frames.first()?,
            *s.flow.frames.last()?,
            s.flow
                .modules
                .iter()
                .map(|slot| slot.disabled)
                .collect::<Vec<_>>(),
            s.flow.merged.clone(),
            s.resp.complete,
        ))
    })?;
    let slots = slots();
    let position = slots
        .iter()
        .position(|&slot| slot == (outer.notification, outer.post))?;
    let send_at = 20;
    let log_at = 21;
    let live = |index: usize, notification: Notification, post: bool| {
        let (pre_mask, post_mask) = disabled[index];
        let mask = if post { post_mask } else { pre_mask };
        mask & notification.mask() == 0 && !merged.contains(&(index, notification, post))
    };
    let mut out = Vec::new();
    let next_slot = if finish {
        match position {
            p if p < send_at => send_at,
            p if p == send_at => log_at,
            p if p == log_at || p == log_at + 1 => log_at + 2,
            _ => slots.len(),
        }
    } else {
        let order = core.modules.request_order(outer.notification, outer.post);
        let rest = order.iter().skip_while(|&&i| i != outer.module).skip(1);
        out.extend(
            rest.filter(|&&i| live(i, outer.notification, outer.post))
                .map(|&i| (i, outer.notification, outer.post)),
        );
        position + 1
    };
    for &(notification, post) in slots.iter().skip(next_slot) {
        if notification == Notification::SendResponse && sent {
            continue;
        }
        out.extend(
            core.modules
                .request_order(notification, post)
                .iter()
                .filter(|&&i| live(i, notification, post))
                .map(|&i| (i, notification, post)),
        );
    }
    Some((inner.module, out))
}

/// `GetIsLastNotification(status)`: whether the calling module has more
/// notifications pending in this request.
pub(crate) fn more_pending(core: &RequestCore, finish: bool) -> bool {
    remaining(core, finish).is_some_and(|(module, rest)| rest.iter().any(|d| d.0 == module))
}

/// `GetNextNotification(RQ_NOTIFICATION_CONTINUE)`: the next dispatch, if
/// it goes to the calling module in a deterministic stage (not across the
/// final send, not from inside a nested notification); it is taken from
/// the pipeline.
pub(crate) fn take_next(core: &RequestCore) -> Option<Dispatch> {
    let nested = core.with_state(|s| s.flow.frames.len() > 1);
    if nested {
        return None;
    }
    let (module, rest) = remaining(core, false)?;
    let next = *rest.first()?;
    if next.0 != module || !Notification::STAGES.contains(&next.1) {
        return None;
    }
    core.with_state(|s| s.flow.merged.push(next));
    Some(next)
}
