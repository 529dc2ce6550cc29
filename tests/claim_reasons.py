"""What an INCONCLUSIVE reason must say (docs/claims.md): its premise and what is seen instead, or the missing API."""

from __future__ import annotations

import re

from lab.guest.catalog import Claim
from lab.verdict import Judgement

INSTEAD = "; what the reader sees instead: "
MODE = re.compile(r"^not applicable in this mode: (?P<why>.+?)" + re.escape(INSTEAD) + r"(?P<instead>.+)$", re.DOTALL)
PREMISE = re.compile(r"^premise not met: (?P<premise>.+?), which did not happen in this run"
                     + re.escape(INSTEAD) + r"(?P<instead>.+)$", re.DOTALL)
MISSING_API = re.compile(r"^not applicable in this environment: the (graph|eager) twin uses (?P<api>tf(\.\w+)+), "
                         r"which TensorFlow \S+ does not have$")
UNREAD = "nothing recorded that shows it"


def says_why(claim: Claim, judgement: Judgement) -> bool:
    """Whether an INCONCLUSIVE reason names the claim's premise (and what is seen instead) or the missing API."""
    reason = judgement.reason
    mode, premise, api = MODE.match(reason), PREMISE.match(reason), MISSING_API.match(reason)
    if mode:
        return mode["why"] == claim.why and claim.not_applicable(judgement.mode.value) and UNREAD not in reason
    if premise:
        return claim.premise is not None and premise["premise"] == claim.premise.text and UNREAD not in reason
    return bool(api)
