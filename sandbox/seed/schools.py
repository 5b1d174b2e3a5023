"""Schools (eligible, CIP-only, closed, Welsh), school cohorts, programmes and partnerships 2021–2025."""

import datetime as dt
import re
import uuid
from dataclasses import dataclass, field

from partnerships.models import (
    ChallengeReason,
    Cohort,
    InductionProgramme,
    LeadProvider,
    Partnership,
    ProgrammeChoice,
    School,
    SchoolCohort,
    TrainingProgramme,
)
from partnerships.services import partnerships_bulk_create

from .common import ACTOR, COHORT_YEARS, create_missing, missing, pk_map, rng, sid, utc
from .providers import LEAD_PROVIDERS, PROVIDER_PARTNERS, delivery_partner_id

PLACES = (
    "Ashford", "Barnsley", "Bexhill", "Bramley", "Chorley", "Darlington", "Durham", "Ely", "Exeter",
    "Frome", "Grantham", "Harrogate", "Hexham", "Ilkley", "Kendal", "Ledbury", "Louth", "Ludlow",
    "Malton", "Morpeth", "Newbury", "Oakham", "Penrith", "Redruth", "Ripon", "Romsey", "Rye", "Selby",
    "Sherborne", "Skipton", "Stroud", "Thirsk", "Tiverton", "Truro", "Wantage", "Whitby", "Witney",
    "Yeovil", "Alnwick", "Bakewell", "Beverley", "Bideford", "Buxton", "Cirencester", "Clitheroe",
    "Dorchester", "Faversham", "Hailsham", "Keswick", "Lewes", "Mansfield", "Northallerton",
)  # fmt: skip

# (name pattern, establishment type code): community, voluntary aided/controlled, foundation, academies.
KINDS = (
    ("{place} Primary School", 1),
    ("{place} Community Primary School", 1),
    ("St Mary's Catholic Primary School, {place}", 2),
    ("{place} Church of England Primary School", 3),
    ("{place} Infant School", 1),
    ("{place} Junior School", 5),
    ("{place} High School", 1),
    ("{place} Academy", 28),
    ("{place} Community College", 34),
    ("{place} Grammar School", 34),
    ("{place} Free School", 35),
    ("{place} Church of England Academy", 34),
)

# (name, type code, status code, district code): CIP-only (independent), closed, Welsh establishments.
SPECIAL_SCHOOLS = (
    ("Hillside Independent School", 10, 1, "E10000014"),
    ("Oakwood Preparatory School", 10, 1, "E06000023"),
    ("Fernbrook House School", 10, 1, "E08000025"),
    ("Millbrook Primary School", 1, 2, "E10000020"),
    ("Castlegate Junior School", 5, 2, "E08000016"),
    ("Old Station Academy", 28, 2, "E06000047"),
    ("Ysgol Gymraeg Aberystwyth", 30, 1, "W06000008"),
    ("Ysgol Bro Dinefwr", 30, 1, "W06000010"),
)
CLOSED_SCHOOL_YEARS = (2021, 2022)  # partnered while still open
TUTOR_NAMES = (
    "Helen Marsh", "David Okafor", "Sarah Whitfield", "Priya Shah", "Tom Bennett", "Rachel Green",
    "Imran Hussain", "Claire Dawson", "Mark Ellison", "Joanne Price", "Gareth Lloyd", "Fiona Murray",
)  # fmt: skip

# Challenged partnerships: (cohort, reason); "another_provider" ones are taken over by another provider.
CHALLENGES = (
    (2023, ChallengeReason.MISTAKE),
    (2023, ChallengeReason.ANOTHER_PROVIDER),
    (2024, ChallengeReason.DO_NOT_RECOGNISE),
    (2024, ChallengeReason.NO_ECTS),
    (2025, ChallengeReason.NOT_CONFIRMED),
    (2025, ChallengeReason.ANOTHER_PROVIDER),
)
RELATIONSHIP_YEAR = 2024


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


@dataclass(frozen=True)
class SchoolSpec:
    id: uuid.UUID
    urn: str
    name: str
    type_code: int
    status_code: int
    district: str

    @property
    def eligible(self) -> bool:
        return self.status_code == 1 and self.district.startswith("E") and self.type_code not in (10, 30)


def school_specs() -> list[SchoolSpec]:
    random = rng("schools")
    urns = random.sample(range(100000, 150000), len(PLACES) + len(SPECIAL_SCHOOLS))
    districts = ("E06000", "E08000", "E09000", "E10000")
    specs = []
    for index, place in enumerate(PLACES):
        pattern, type_code = KINDS[(index * 7) % len(KINDS)]
        district = f"{random.choice(districts)}{random.randint(1, 60):03d}"
        specs.append(
            SchoolSpec(
                sid("school", urns[index]),
                str(urns[index]),
                pattern.format(place=place),
                type_code,
                1,
                district,
            )
        )
    for offset, (name, type_code, status_code, district) in enumerate(SPECIAL_SCHOOLS):
        urn = str(urns[len(PLACES) + offset])
        specs.append(SchoolSpec(sid("school", urn), urn, name, type_code, status_code, district))
    return specs


def seed_schools(specs: list[SchoolSpec]) -> None:
    random = rng("school-contacts")
    schools = []
    for index, spec in enumerate(specs):
        domain = f"{slug(spec.name)}.sch.example.com"
        tutor = TUTOR_NAMES[index % len(TUTOR_NAMES)] if random.random() < 0.7 else None
        schools.append(
            School(
                id=spec.id,
                urn=spec.urn,
                name=spec.name,
                school_type_code=spec.type_code,
                school_status_code=spec.status_code,
                administrative_district_code=spec.district,
                primary_contact_email=f"office@{domain}",
                secondary_contact_email=f"headteacher@{domain}" if random.random() < 0.5 else None,
                induction_tutor_name=tutor,
                induction_tutor_email=f"{slug(tutor).replace('-', '.')}@{domain}" if tutor else None,
                created_at=utc(2021, 3, 1) + dt.timedelta(hours=index),
            )
        )
    create_missing(School, schools, ["id"], audited=True)


@dataclass(frozen=True)
class Placement:
    """A partnership of a school in a cohort, with the provider-led programme its participants train on."""

    year: int
    school: SchoolSpec
    provider: str
    partnership_id: uuid.UUID
    delivery_partner_name: str
    challenged: bool = False
    relationship: bool = False
    # Filled once the rows exist.
    lead_provider_id: int | None = None
    school_cohort_id: int | None = None
    programme_id: int | None = None


@dataclass
class SchoolWorld:
    placements: list[Placement] = field(default_factory=list)  # where participants train (incl. challenged)
    active: dict[tuple[int, uuid.UUID], Placement] = field(default_factory=dict)  # (year, school id)
    relationship: tuple[Placement, Placement] | None = None  # (original, the relationship at the new school)


def _partnership_id(year: int, spec: SchoolSpec, provider: str, relationship: bool = False) -> uuid.UUID:
    return sid("relationship" if relationship else "partnership", year, spec.urn, provider)


def plan_partnerships(specs: list[SchoolSpec]) -> tuple[list[Placement], dict, Placement, uuid.UUID]:
    """Every ordinary partnership, which ones are challenged (→ reason), and the relationship partnership."""
    random = rng("partnerships")
    ordinary: list[Placement] = []
    eligible = [spec for spec in specs if spec.eligible]
    closed = [spec for spec in specs if spec.status_code == 2]
    for year in COHORT_YEARS:
        for index, spec in enumerate(eligible + closed):
            if spec.status_code == 2 and year not in CLOSED_SCHOOL_YEARS:
                continue
            take_part = random.random() < 0.82
            switch = random.random() < 0.15
            provider_index = (index + (random.randint(1, 4) if switch else 0)) % len(LEAD_PROVIDERS)
            partner = random.choice(PROVIDER_PARTNERS[LEAD_PROVIDERS[provider_index]])
            if not take_part:
                continue
            provider = LEAD_PROVIDERS[provider_index]
            ordinary.append(Placement(year, spec, provider, _partnership_id(year, spec, provider), partner))

    challenged: dict[uuid.UUID, str] = {}
    takeovers: list[Placement] = []
    for year, reason in CHALLENGES:
        candidates = [p for p in ordinary if p.year == year and p.partnership_id not in challenged]
        victim = candidates[random.randrange(len(candidates))]
        challenged[victim.partnership_id] = reason
        if reason == ChallengeReason.ANOTHER_PROVIDER:
            provider = LEAD_PROVIDERS[(LEAD_PROVIDERS.index(victim.provider) + 1) % len(LEAD_PROVIDERS)]
            takeovers.append(
                Placement(
                    year,
                    victim.school,
                    provider,
                    _partnership_id(year, victim.school, provider),
                    PROVIDER_PARTNERS[provider][0],
                )
            )
    placements = [
        Placement(**{**p.__dict__, "challenged": p.partnership_id in challenged}) for p in ordinary
    ] + takeovers

    # A participant who moved school in 2024 but kept their provider: a relationship partnership.
    year_active = [p for p in placements if p.year == RELATIONSHIP_YEAR and not p.challenged]
    original = year_active[0]
    new_school = next(p for p in year_active[1:] if p.provider != original.provider)
    relationship = Placement(
        RELATIONSHIP_YEAR,
        new_school.school,
        original.provider,
        _partnership_id(RELATIONSHIP_YEAR, new_school.school, original.provider, relationship=True),
        original.delivery_partner_name,
        relationship=True,
    )
    return placements, challenged, relationship, original.partnership_id


def seed_partnerships(
    specs: list[SchoolSpec], providers: dict[str, LeadProvider], cohorts: dict[int, Cohort]
) -> SchoolWorld:
    placements, challenged, relationship, original_id = plan_partnerships(specs)
    everything = [*placements, relationship]

    partnerships, challenges = [], {}
    for index, p in enumerate(everything):
        cohort = cohorts[p.year]
        if p.partnership_id in challenged:  # the school challenged it in October
            challenges[p.partnership_id] = (challenged[p.partnership_id], utc(p.year, 10, 3))
        partnerships.append(
            Partnership(
                id=p.partnership_id,
                lead_provider=providers[p.provider],
                school_id=p.school.id,
                cohort=cohort,
                delivery_partner_id=delivery_partner_id(p.delivery_partner_name),
                relationship=p.relationship,
                challenge_deadline=_challenge_deadline(cohort),
                created_at=utc(p.year, 6, 1) + dt.timedelta(minutes=index),
            )
        )
    partnerships_bulk_create(
        partnerships=missing(Partnership, partnerships, ["id"]),
        challenges=challenges,
        actor=ACTOR,
    )

    return _seed_school_cohorts(specs, everything, challenged, original_id, providers, cohorts)


def _challenge_deadline(cohort: Cohort) -> dt.datetime:
    """The academic-year start + 2 months − 1 day, end of that day."""
    start = cohort.academic_year_start_date
    year, month = start.year + (start.month + 2 - 1) // 12, (start.month + 2 - 1) % 12 + 1
    deadline = dt.date(year, month, start.day) - dt.timedelta(days=1)
    return dt.datetime.combine(deadline, dt.time(23, 59, 59), tzinfo=dt.UTC)


def _seed_school_cohorts(
    specs, everything: list[Placement], challenged, original_id, providers, cohorts
) -> SchoolWorld:
    random = rng("school-cohorts")
    choices: dict[tuple[uuid.UUID, int], str] = {}
    for p in everything:
        if not p.relationship:
            choices[(p.school.id, p.year)] = ProgrammeChoice.FULL_INDUCTION_PROGRAMME
    for p in everything:
        if challenged.get(p.partnership_id) == ChallengeReason.NO_ECTS:
            choices[(p.school.id, p.year)] = ProgrammeChoice.NO_EARLY_CAREER_TEACHERS
    for spec in specs:
        for year in COHORT_YEARS:
            if (spec.id, year) in choices:
                continue
            if spec.type_code in (10, 30) and year >= 2023:
                choices[(spec.id, year)] = ProgrammeChoice.CORE_INDUCTION_PROGRAMME
            elif spec.eligible and random.random() < 0.5:
                choices[(spec.id, year)] = random.choice(
                    (ProgrammeChoice.CORE_INDUCTION_PROGRAMME, ProgrammeChoice.DESIGN_OUR_OWN)
                )
    school_cohorts = [
        SchoolCohort(
            school_id=school_id,
            cohort=cohorts[year],
            induction_programme_choice=choice,
            created_at=utc(year, 5, 20),
        )
        for (school_id, year), choice in sorted(
            choices.items(), key=lambda item: (item[0][1], str(item[0][0]))
        )
    ]
    create_missing(SchoolCohort, school_cohorts, ["school_id", "cohort_id"], audited=True)
    cohort_ids = {year: cohorts[year].pk for year in COHORT_YEARS}
    school_cohort_ids = pk_map(SchoolCohort, ["school_id", "cohort_id"], cohort_id__in=cohort_ids.values())

    programmes = []
    for p in everything:
        school_cohort_id = school_cohort_ids[(p.school.id, cohort_ids[p.year])]
        programmes.append(
            InductionProgramme(
                school_cohort_id=school_cohort_id,
                training_programme=TrainingProgramme.FULL_INDUCTION_PROGRAMME,
                partnership_id=p.partnership_id,
                created_at=utc(p.year, 6, 2),
            )
        )
    for (school_id, year), choice in choices.items():
        if choice in (ProgrammeChoice.CORE_INDUCTION_PROGRAMME, ProgrammeChoice.DESIGN_OUR_OWN):
            programmes.append(
                InductionProgramme(
                    school_cohort_id=school_cohort_ids[(school_id, cohort_ids[year])],
                    training_programme=choice,
                    partnership_id=None,
                    created_at=utc(year, 6, 2),
                )
            )
    key = ["school_cohort_id", "training_programme", "partnership_id"]
    create_missing(InductionProgramme, programmes, key)
    programme_ids = pk_map(InductionProgramme, key, school_cohort_id__in=school_cohort_ids.values())

    # The default programme: the school's unchallenged ordinary partnership, else the challenged one,
    # else its school-led programme. Only set where none is set yet (a re-run changes nothing).
    defaults: dict[int, int] = {}
    for p in sorted(everything, key=lambda p: (p.relationship, not p.challenged)):
        if not p.relationship:
            school_cohort_id = school_cohort_ids[(p.school.id, cohort_ids[p.year])]
            defaults[school_cohort_id] = programme_ids[
                (school_cohort_id, TrainingProgramme.FULL_INDUCTION_PROGRAMME, p.partnership_id)
            ]
    for (school_cohort_id, _programme, partnership_id), programme_id in programme_ids.items():
        if partnership_id is None:
            defaults.setdefault(school_cohort_id, programme_id)
    unset = set(
        SchoolCohort.objects.filter(pk__in=defaults, default_programme__isnull=True).values_list(
            "pk", flat=True
        )
    )
    if unset:
        rows = list(SchoolCohort.objects.filter(pk__in=unset))
        for row in rows:
            row.default_programme_id = defaults[row.pk]
        SchoolCohort.objects.bulk_update(rows, ["default_programme"], batch_size=500)

    world = SchoolWorld()
    provider_ids = {name: provider.pk for name, provider in providers.items()}
    for p in everything:
        school_cohort_id = school_cohort_ids[(p.school.id, cohort_ids[p.year])]
        resolved = Placement(
            **{
                **p.__dict__,
                "lead_provider_id": provider_ids[p.provider],
                "school_cohort_id": school_cohort_id,
                "programme_id": programme_ids[
                    (school_cohort_id, TrainingProgramme.FULL_INDUCTION_PROGRAMME, p.partnership_id)
                ],
            }
        )
        if p.relationship:
            world.relationship = (None, resolved)
            continue
        if challenged.get(p.partnership_id) != ChallengeReason.NO_ECTS:
            world.placements.append(resolved)
        if not p.challenged:
            world.active[(p.year, p.school.id)] = resolved
    original = next(p for p in world.placements if p.partnership_id == original_id)
    world.relationship = (original, world.relationship[1])
    return world
