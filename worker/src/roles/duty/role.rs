//! The two sides of a job, mine and verify: everything the duty loop does differently for
//! a miner and for an auditor is a method here, so the loop itself has one path.

use subxt::utils::AccountId32;

use crate::chain::{runtime, Job, JobId, JobStatus};

/// Which side of a job this worker plays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Duty {
    /// The assigned worker: `commit_results`, then `reveal_results`.
    Mine,
    /// An auditor: `commit_audits`, then `reveal_audits`, blind to the worker's output.
    Verify,
}

impl Duty {
    /// The metric label and log prefix.
    pub fn label(self) -> &'static str {
        match self {
            Duty::Mine => "mine",
            Duty::Verify => "verify",
        }
    }

    /// What this side does, in the plural, for messages: jobs or audits.
    pub fn work(self) -> &'static str {
        match self {
            Duty::Mine => "jobs",
            Duty::Verify => "audits",
        }
    }

    /// Whether this account has committed and revealed its part of `job`; `None` if it
    /// has no part.
    pub(super) fn part(self, job: &Job, me: &AccountId32) -> Option<(bool, bool)> {
        match self {
            Duty::Mine => {
                (job.worker.as_ref() == Some(me)).then(|| (job.commitment.is_some(), job.revealed))
            }
            Duty::Verify => job
                .auditors
                .0
                .iter()
                .find(|slot| &slot.who == me)
                .map(|slot| (slot.commitment.is_some(), slot.revealed)),
        }
    }

    /// Whether a held job in which this account has no part is gone for good: a miner's
    /// job was reassigned or released, while an auditor may not have been drawn yet.
    pub(super) fn no_part_means_gone(self) -> bool {
        self == Duty::Mine
    }

    /// Whether `status` is the phase in which this side commits.
    pub(super) fn commits_in(self, status: &JobStatus) -> bool {
        match self {
            Duty::Mine => matches!(status, JobStatus::Assigned),
            Duty::Verify => matches!(status, JobStatus::Auditing),
        }
    }

    /// Whether this side hands back a job it cannot deliver (`release_jobs`, a miner) or,
    /// having no such call, skips it (an auditor).
    pub(super) fn releases(self) -> bool {
        self == Duty::Mine
    }

    /// The job `event` gives this account, if any: an assignment for a miner; an audit
    /// draw or an escalation that names it for an auditor.
    pub(super) fn job_given(
        self,
        event: &subxt::events::Event<'_, crate::chain::Config>,
        me: &AccountId32,
    ) -> Option<JobId> {
        use runtime::jobs::events::{AuditDrawn, AuditEscalated, JobAssigned};
        match self {
            Duty::Mine => {
                let a = event.decode_fields_as::<JobAssigned>()?.ok()?;
                (&a.worker == me).then(|| {
                    tracing::debug!(
                        "job {}: assigned to me, commit by block #{}",
                        a.job,
                        a.commit_by
                    );
                    a.job
                })
            }
            Duty::Verify => {
                if let Some(Ok(d)) = event.decode_fields_as::<AuditDrawn>() {
                    return d.auditors.contains(me).then(|| {
                        tracing::debug!(
                            "job {}: drawn as one of {} auditors",
                            d.job,
                            d.auditors.len()
                        );
                        d.job
                    });
                }
                let d = event.decode_fields_as::<AuditEscalated>()?.ok()?;
                d.auditors.contains(me).then(|| {
                    tracing::info!(
                        "job {}: drawn as one of {} extra auditors after a tied audit",
                        d.job,
                        d.auditors.len()
                    );
                    d.job
                })
            }
        }
    }
}
