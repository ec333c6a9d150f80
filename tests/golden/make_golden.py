"""Hand-written expected rules for seeds 000 and 001, transcribed line by line from the PDFs.

This file is the reviewed source; it writes tests/golden/*.rules.jsonl (sorted, one rule a
line) only when PAYERKG_REGEN_GOLDEN=1. It never reads the extractor's output.
Shorthands: BCc Blue Cross commercial, MPB Medicare Plus Blue, BCNc BCN commercial, BCNA BCN
Advantage; FI fully_insured, SF self_funded, IND individual, GRP group.
"""

import json
import os
from pathlib import Path

LOB = {"BCc": "Blue Cross commercial", "MPB": "Medicare Plus Blue", "BCNc": "BCN commercial", "BCNA": "BCN Advantage",
       "MA": "Medicare Advantage"}
SEG = {"FI": "fully_insured", "SF": "self_funded", "IND": "individual", "GRP": "group", "ALL": "all"}
AIM, EVI, TP = "Carelon Medical Benefits Management", "eviCore healthcare", "TurningPoint Healthcare Solutions"
UM, PH = "Blue Cross and BCN Utilization Management", "Blue Cross and BCN Pharmacy departments"
MESSA, UAWT = "Michigan Education Special Services Association", "UAW Retiree Medical Benefits Trust"
FEP, SOM, ASC, DART = "Federal Employee Program", "State of Michigan", "Ascension Health", "Dart Container of Michigan"
HCT, INTL, MPSERS = "UAW Retiree Healthcare Trust", "UAW International Union", "Michigan Public School Employees' Retirement System"
PA, CM = "prior_authorization", "care_management"

# the standard blocks that recur: "LOB — All groups and all members with individual coverage", …
STD_MPB = [("MPB", "GRP", "all"), ("MPB", "IND", "all")]
STD_BCNA = [("BCNA", "GRP", "all"), ("BCNA", "IND", "all")]
STD_BCNc = [("BCNc", "FI", "all"), ("BCNc", "SF", "all"), ("BCNc", "IND", "all")]


def _adder(R):
    """``add(vendor, service, requirement, page, rows)`` appending one rule per (LOB, segment, scope[, extra]) row."""
    def add(vendor, service, req, page, rows):
        for row in rows:
            lob, seg, scope, *rest = row
            extra = rest[0] if rest else {}
            R.append({"vendor": vendor, "service": service, "requirement": req,
                      "program_type": "care_management" if req == CM else "utilization_management",
                      "line_of_business": LOB[lob], "segment": SEG[seg], "scope": scope,
                      "exceptions": sorted(extra.get("exc", [])), "inclusions": sorted(extra.get("inc", [])), "page": page})
    return add


def rules_000():
    R = []
    add = _adder(R)

    # p2 2nd.MD — For commercial members
    add("2nd.MD", "second opinion", CM, 2, [("BCc", "FI", "most", {"exc": [MESSA]}), ("BCc", "SF", "select"), ("BCNc", "FI", "all")])
    # p2 2nd.MD — For Medicare Advantage members: "Some groups and all members with individual coverage"
    add("2nd.MD", "second opinion", CM, 2, [("MPB", "GRP", "some"), ("MPB", "IND", "all"), ("BCNA", "GRP", "some"), ("BCNA", "IND", "all")])
    # p3 Welvie: "Blue Cross commercial — For UAW Retiree Medical Benefits Trust non-Medicare members only"
    add("Welvie", "treatment decision support", CM, 3, [("BCc", "GRP", "only", {"inc": [UAWT]})] + STD_MPB + STD_BCNA)
    # p4 Medicare Plus Blue and BCN Utilization Management
    add(UM, "elective procedures and services", PA, 4, STD_MPB + STD_BCNc + STD_BCNA)
    # p6 AIM — cardiology
    add(AIM, "cardiology", PA, 6, STD_MPB + STD_BCNc + STD_BCNA)
    # p7 AIM — echocardiology
    add(AIM, "echocardiology", PA, 7, [("BCc", "FI", "all"), ("BCc", "SF", "most", {"exc": [UAWT, FEP, SOM, ASC, DART]}),
                                       ("BCc", "IND", "all")] + STD_MPB + STD_BCNc + STD_BCNA)
    # p8 AIM — medical oncology (self-funded: opt-in list)
    add(AIM, "medical oncology", PA, 8, [("BCc", "FI", "all"), ("BCc", "SF", "select"), ("BCc", "IND", "all")]
        + STD_MPB + STD_BCNc + STD_BCNA)
    # p9 AIM — radiation oncology: proton beam therapy (MESSA only; most SF with exceptions) and
    # radiation oncology other than proton beam therapy for UAW RMBT non-Medicare, with exceptions
    add(AIM, "proton beam therapy", PA, 9, [("BCc", "FI", "only", {"inc": [MESSA]}),
                                            ("BCc", "SF", "most", {"exc": [ASC, FEP, DART, SOM]})])
    add(AIM, "radiation oncology", PA, 9, [("BCc", "SF", "only", {"inc": [UAWT], "exc": [HCT, INTL]})])
    # p10 AIM — high-tech imaging
    add(AIM, "high-tech imaging", PA, 10, [("BCc", "FI", "all"),
                                           ("BCc", "SF", "most", {"inc": [FEP, UAWT], "exc": [HCT, INTL, SOM, ASC, DART]}),
                                           ("BCc", "IND", "all")] + STD_MPB + STD_BCNc + STD_BCNA)
    # p11 AIM — sleep studies
    add(AIM, "sleep studies", PA, 11, [("BCc", "FI", "all"), ("BCc", "SF", "most", {"exc": [HCT, INTL, FEP, SOM, ASC, DART]}),
                                       ("BCc", "IND", "all")] + STD_MPB)
    # p12–13 eviCore — PT, OT and ST (table; "All groups and members" = groups + individual members)
    add(EVI, "physical and occupational therapy", PA, 12, STD_MPB + STD_BCNc + STD_BCNA)
    add(EVI, "speech therapy", PA, 12, STD_BCNc + STD_BCNA)
    add(EVI, "physical, occupational and speech therapy", PA, 12, STD_BCNc)  # with a diagnosis of autism, age 19+
    add(EVI, "physical medicine services by chiropractors", PA, 12, STD_BCNc)
    add(EVI, "physical medicine services by athletic trainers", PA, 13, STD_BCNc)
    # p14 eviCore — radiation oncology
    add(EVI, "radiation oncology", PA, 14, [("BCc", "FI", "most", {"exc": [MESSA]}), ("BCc", "IND", "all")]
        + STD_MPB + STD_BCNc + STD_BCNA)
    # p15 TurningPoint
    add(TP, "musculoskeletal surgical procedures", PA, 15, [("BCc", "FI", "all"), ("BCc", "SF", "select", {"inc": [UAWT]}),
                                                          ("BCc", "IND", "all")] + STD_MPB + STD_BCNc + STD_BCNA)
    return R


def rules_001():
    R = []
    add = _adder(R)

    # p2 Sempre Health; "Sempre Health doesn't provide services for Medicare Advantage members."
    add("Sempre Health", "drug adherence discount program", CM, 2,
        [("BCc", "FI", "all"), ("BCc", "SF", "all"), ("BCc", "IND", "all")] + STD_BCNc + [("MA", "ALL", "none")])
    # p3 Pharmacy departments — medical benefit drugs (UAW RMBT → Accredo)
    add(PH, "medical benefit drugs", PA, 3, [("BCc", "FI", "all"), ("BCc", "SF", "most", {"exc": [UAWT]}), ("BCc", "IND", "all"),
                                             ("MPB", "GRP", "most"), ("MPB", "IND", "all")] + STD_BCNc + STD_BCNA)
    # p4 Pharmacy departments — pharmacy benefit drugs (UAW RMBT → Express Scripts; MPSERS, SOM → OptumRx)
    add(PH, "pharmacy benefit drugs", PA, 4, [("BCc", "FI", "all"), ("BCc", "SF", "most", {"exc": [UAWT]}), ("BCc", "IND", "all"),
                                              ("MPB", "GRP", "most", {"exc": [MPSERS, SOM, UAWT]}), ("MPB", "IND", "all")]
        + STD_BCNc + STD_BCNA)
    # p5 AIM Specialty Health — medical oncology
    add(AIM, "medical oncology", PA, 5, [("BCc", "FI", "most", {"exc": [MESSA]}), ("BCc", "SF", "only", {"inc": [UAWT]}),
                                         ("BCc", "IND", "all")] + STD_MPB + STD_BCNc + STD_BCNA)
    return R


def write(name, rules):
    path = Path(__file__).parent / f"{name}.rules.jsonl"
    lines = sorted(json.dumps(r, sort_keys=True, ensure_ascii=False) for r in rules)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    if os.environ.get("PAYERKG_REGEN_GOLDEN") != "1":
        raise SystemExit("set PAYERKG_REGEN_GOLDEN=1 to rewrite the golden files")
    write("000", rules_000())
    write("001", rules_001())
