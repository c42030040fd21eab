"""A referral as HL7 FHIR R5: a Bundle with the ServiceRequest, the Consent it rests on, the Patient
(pseudonym; the legal identity only when the referral shares it) and both Organizations.

Built and validated with the fhir.resources models, so a health system can take it in as it is.
"""

from __future__ import annotations

from typing import Any

from fhir.resources.bundle import Bundle
from fhir.resources.consent import Consent as FhirConsent
from fhir.resources.organization import Organization
from fhir.resources.patient import Patient
from fhir.resources.servicerequest import ServiceRequest
from sqlalchemy.orm import Session

from heroes.core import audit
from heroes.core.errors import NotFoundError
from heroes.core.i18n import gettext as _
from heroes.core.models import Organisation

from .access import Viewer
from .engine import authorise, load_case
from .models import CaseConsent, CaseIdentity, CaseReferral

SYSTEM = "urn:heroes:cases"
STATE = {"pending": "active", "accepted": "active", "declined": "revoked", "withdrawn": "revoked"}


def _org(organisation: Organisation) -> dict[str, Any]:
    return {
        "resourceType": "Organization",
        "id": f"org-{organisation.id}",
        "name": organisation.name,
        "type": [{"text": organisation.kind}],
    }


def referral_bundle(session: Session, referral_id: int, viewer: Viewer) -> dict[str, Any]:
    referral = session.get(CaseReferral, referral_id)
    if referral is None:
        raise NotFoundError(_("No referral %(id)s.", id=referral_id))
    case = load_case(session, referral.case_id)
    authorise(session, case, viewer, "referrals", "read", "referral")
    source = session.get(Organisation, referral.from_organisation_id)
    target = session.get(Organisation, referral.to_organisation_id)
    consent = session.get(CaseConsent, referral.consent_id) if referral.consent_id else None
    assert source is not None and target is not None
    patient: dict[str, Any] = {
        "resourceType": "Patient",
        "id": f"case-{case.id}",
        "identifier": [{"system": f"{SYSTEM}:case", "value": str(case.id)}],
    }
    if "identity" in referral.fields:
        identity = session.get(CaseIdentity, case.id)
        if identity and identity.data.get("legal_name"):
            patient["name"] = [{"text": identity.data["legal_name"]}]
        if identity and identity.data.get("date_of_birth"):
            patient["birthDate"] = identity.data["date_of_birth"]
    else:
        patient["name"] = [{"text": case.pseudonym, "use": "anonymous"}]
    resources: list[dict[str, Any]] = [patient, _org(source), _org(target)]
    request: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "id": f"referral-{referral.id}",
        "identifier": [{"system": f"{SYSTEM}:referral", "value": str(referral.id)}],
        "status": STATE[referral.state],
        "intent": "order",
        "category": [
            {"coding": [{"system": "http://snomed.info/sct", "code": "3457005", "display": "Patient referral"}]}
        ],
        "code": {"concept": {"text": ", ".join(referral.needs) or "assessment"}},
        "subject": {"reference": f"Patient/case-{case.id}"},
        "requester": {"reference": f"Organization/org-{source.id}"},
        "performer": [{"reference": f"Organization/org-{target.id}"}],
        "authoredOn": referral.created_at.isoformat(),
        "orderDetail": [
            {"parameter": [{"code": {"text": "shared-field"}, "valueString": field} for field in referral.fields]}
        ],
    }
    if "exploitation" in referral.fields and case.exploitation:
        request["reason"] = [{"concept": {"text": form}} for form in case.exploitation]
    if referral.deadline:
        request["occurrencePeriod"] = {"end": referral.deadline.isoformat()}
    if referral.message:
        request["note"] = [{"text": referral.message}]
    if consent is not None:
        request["supportingInfo"] = [{"reference": {"reference": f"Consent/consent-{consent.id}"}}]
        grantor = (
            {"reference": f"Patient/case-{case.id}"}
            if consent.given_by == "person"
            else {"display": f"{consent.given_by}: {consent.given_by_detail}"}
        )
        resources.append(
            {
                "resourceType": "Consent",
                "id": f"consent-{consent.id}",
                "status": "active" if consent.withdrawn_at is None else "inactive",
                "category": [{"text": consent.purpose}],
                "subject": {"reference": f"Patient/case-{case.id}"},
                "date": consent.given_at.date().isoformat(),
                "grantor": [grantor],
                "grantee": [{"reference": f"Organization/org-{target.id}"}],
                "controller": [{"reference": f"Organization/org-{source.id}"}],
                "decision": "permit",
                "verification": [{"verified": True, "verificationType": {"text": consent.method}}],
                "provision": [
                    {
                        "data": [
                            {
                                "meaning": "instance",
                                "reference": {"reference": f"ServiceRequest/referral-{referral.id}"},
                            }
                        ]
                    }
                ],
            }
        )
    resources.append(request)
    for resource in resources:  # validate each against the FHIR model before it leaves
        model: dict[str, Any] = {
            "Patient": Patient,
            "Organization": Organization,
            "ServiceRequest": ServiceRequest,
            "Consent": FhirConsent,
        }
        model[resource["resourceType"]].model_validate(resource)
    bundle = Bundle.model_validate(
        {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [{"fullUrl": f"{SYSTEM}:{r['resourceType']}/{r['id']}", "resource": r} for r in resources],
        }
    )
    audit.record(
        session, viewer.actor, "cases.referral.fhir", f"case:{case.id}", {"reason": "referral", "referral": referral.id}
    )
    return bundle.model_dump(mode="json", exclude_none=True)
