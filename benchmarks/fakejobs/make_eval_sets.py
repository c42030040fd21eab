"""Builds the evaluation sets of benchmarks/fakejobs/data from the ads written by the team.

- `es_eval.jsonl`: the Spanish evaluation set, one JSON line per ad (`id`, `label`, `text`) from
  `es_honest.txt` (label 0) and `es_scam.txt` (label 1), one ad per line; never used in training.
- `short_honest_en.jsonl`, `short_honest_es.jsonl`: short ordinary honest ads (a waiter, a cleaner,
  a warehouse shift), 120 per language, composed from hand-written parts (a role with its
  workplace, a town, the hours, the pay, how to apply) with a fixed seed; for the false-positive
  rate. Short ads are formulaic on real portals, so composing parts keeps them realistic.

    python benchmarks/fakejobs/make_eval_sets.py
"""

from __future__ import annotations

import json
import random
from pathlib import Path

HERE = Path(__file__).parent / "data"
N_SHORT = 120

PARTS: dict[str, dict[str, list[str]]] = {
    "en": {
        "role": [
            "Waiter or waitress wanted for a busy Italian restaurant",
            "Cleaner needed for offices",
            "Warehouse operatives needed for picking and packing",
            "Kitchen porter wanted for a hotel kitchen",
            "Barista wanted for an independent coffee shop",
            "Retail assistant needed for a garden centre",
            "Delivery driver wanted for a local bakery",
            "Care assistant needed for a residential home",
            "Receptionist wanted for a dental practice",
            "Forklift driver needed for a distribution centre",
            "Hospital porter needed",
            "Library assistant wanted",
            "Dog walker needed for a small pet-care business",
            "Bar staff wanted for a village pub",
            "School cleaner needed",
            "Shelf stacker wanted for a supermarket",
            "Groundskeeper needed for a golf club",
            "Chef de partie wanted for a seafood restaurant",
            "Admin assistant needed for a plumbing firm",
            "Cashier wanted for a petrol station",
        ],
        "town": [
            "in Leeds",
            "in Bristol",
            "in Glasgow",
            "in Cardiff",
            "in Norwich",
            "in York",
            "in Leicester",
            "in Brighton",
            "in Manchester",
            "in Dublin",
            "in Denver",
            "in Portland",
        ],
        "hours": [
            "Evenings and weekends.",
            "Monday to Friday, 6am to 2pm.",
            "Part-time, 16 hours a week.",
            "Full-time, rotating shifts.",
            "Weekend shifts only.",
            "Early mornings, 5 days a week.",
            "Temporary contract for the summer.",
            "Permanent contract after a trial month.",
        ],
        "pay": [
            "£11.50 an hour.",
            "£12 per hour plus tips.",
            "£23,000 a year.",
            "Paid weekly, holiday pay included.",
            "$16 an hour.",
            "Pay in line with the national living wage.",
            "Staff discount and free parking.",
        ],
        "apply": [
            "Apply in person with your CV.",
            "Send your CV through the job board.",
            "Ask for the manager at the front desk.",
            "Apply on our website.",
            "Call the shop to arrange a chat.",
            "Interviews held on site next week.",
        ],
    },
    "es": {
        "role": [
            "Se busca camarero/a para restaurante",
            "Se necesita limpiador/a para oficinas",
            "Mozos de almacén para preparación de pedidos",
            "Friegaplatos para cocina de hotel",
            "Se busca barista para cafetería",
            "Dependiente/a para tienda de ropa",
            "Repartidor/a con furgoneta para panadería",
            "Auxiliar de geriatría para residencia",
            "Recepcionista para clínica dental",
            "Carretillero/a para centro logístico",
            "Celador/a para hospital",
            "Auxiliar de biblioteca",
            "Paseador/a de perros para guardería canina",
            "Camarero/a de barra para bar de tapas",
            "Limpiador/a para colegio",
            "Reponedor/a para supermercado",
            "Jardinero/a para urbanización",
            "Cocinero/a para asador",
            "Auxiliar administrativo/a para empresa de fontanería",
            "Cajero/a para gasolinera",
        ],
        "town": [
            "en Valladolid",
            "en Sevilla",
            "en Zaragoza",
            "en Murcia",
            "en Vigo",
            "en Granada",
            "en Alicante",
            "en Córdoba",
            "en Ciudad de México",
            "en Bogotá",
            "en Lima",
            "en Rosario",
        ],
        "hours": [
            "Turno de tarde y fines de semana.",
            "De lunes a viernes de 7 a 15 h.",
            "Media jornada, 20 horas semanales.",
            "Jornada completa con turnos rotativos.",
            "Solo fines de semana.",
            "Horario de mañana, cinco días a la semana.",
            "Contrato de verano.",
            "Contrato indefinido tras el periodo de prueba.",
        ],
        "pay": [
            "Salario según convenio.",
            "1.250 € brutos al mes.",
            "9,50 € la hora más propinas.",
            "Alta en la Seguridad Social desde el primer día.",
            "Sueldo base más prestaciones de ley.",
            "Pago mensual y vacaciones pagadas.",
            "Descuento para empleados y aparcamiento.",
        ],
        "apply": [
            "Entrega tu currículum en el local.",
            "Inscríbete en la oferta del portal de empleo.",
            "Pregunta por la encargada en recepción.",
            "Envía tu candidatura desde nuestra web.",
            "Llama a la tienda para concertar una entrevista.",
            "Entrevistas en el centro la próxima semana.",
        ],
    },
}


def short_ads(lang: str, n: int, seed: int = 12) -> list[str]:
    rng = random.Random(f"{seed}-{lang}")
    parts = PARTS[lang]
    seen: set[str] = set()
    ads: list[str] = []
    while len(ads) < n:
        role, town = rng.choice(parts["role"]), rng.choice(parts["town"])
        extras = [rng.choice(parts[k]) for k in ("hours", "pay", "apply") if rng.random() < 0.8]
        ad = " ".join([f"{role} {town}.", *extras])
        if ad not in seen:
            seen.add(ad)
            ads.append(ad)
    return ads


def write(path: Path, rows: list[dict[str, object]]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def main() -> None:
    rows: list[dict[str, object]] = []
    for name, label in (("es_honest.txt", 0), ("es_scam.txt", 1)):
        lines = [line.strip() for line in (HERE / name).read_text(encoding="utf-8").splitlines() if line.strip()]
        kind = "honest" if label == 0 else "scam"
        rows += [{"id": f"es-{kind}-{i:03d}", "label": label, "text": t} for i, t in enumerate(lines, start=1)]
    write(HERE / "es_eval.jsonl", rows)
    for lang in ("en", "es"):
        ads = short_ads(lang, N_SHORT)
        write(
            HERE / f"short_honest_{lang}.jsonl",
            [{"id": f"short-{lang}-{i:03d}", "label": 0, "text": t} for i, t in enumerate(ads, start=1)],
        )
    scams = sum(int(r["label"] == 1) for r in rows)
    print(f"es_eval.jsonl: {len(rows)} ads ({scams} scams); short ads: {N_SHORT} per language")


if __name__ == "__main__":
    main()
