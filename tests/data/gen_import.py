#!/usr/bin/env python3
"""gen_import.py — writes big, valid import files for timing the CSV import.

    gen_import.py customers N FILE      N customers L-0000001 .. (home stores UTR01, AMS01, RTM01)
    gen_import.py purchases N FILE [C]  N purchase lines, about 4 per receipt, 5000 SKUs,
                                        a quarter anonymous, the others one of C customers
                                        (default 100000, as made by "customers")

The output is deterministic (a fixed seed), so timings compare across runs.
"""
import random
import sys

STORES = ["UTR01", "AMS01", "RTM01"]
FIRST = ["José", "Zoë", "Anna", "Daan", "Sophie", "Lucas", "Emma", "Noah", "Fleur", "Ömer"]
LAST = ["Müller", "van 't Hek", "de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer"]
CATEGORIES = ["Jassen", "Sokken", "Schoenen", "Truien", "Broeken", "Accessoires"]
BRANDS = ["Acme", "Noordzee", "Polder & Co", "Zuiderlicht"]


def customers(n, path):
    rnd = random.Random(1)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("loyalty_number,name,email,phone,home_store_code,email_marketing_consent,phone_marketing_consent\n")
        for i in range(1, n + 1):
            name = f"{rnd.choice(FIRST)} {rnd.choice(LAST)}"
            f.write(f"L-{i:07d},\"{name}\",klant{i}@example.nl,06{i:08d},{rnd.choice(STORES)},"
                    f"{rnd.choice(['ja', 'nee', ''])},{rnd.choice(['yes', 'no'])}\n")


def purchases(n, path, ncustomers):
    rnd = random.Random(2)
    skus = [(f"SKU{i:06d}", f"Artikel {i} \"{rnd.choice(CATEGORIES).lower()}\"", rnd.choice(BRANDS),
             rnd.choice(CATEGORIES), rnd.randint(99, 25000)) for i in range(5000)]
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("receipt_id,purchased_at,store_code,customer_ref,sku,product_name,brand,category,unit_price,quantity\n")
        written, receipt = 0, 0
        out = []
        while written < n:
            receipt += 1
            lines = min(rnd.randint(1, 7), n - written)
            day = 1 + receipt % 28
            at = f"2026-{1 + receipt % 12:02d}-{day:02d} {8 + receipt % 12:02d}:{receipt % 60:02d}:{(receipt * 7) % 60:02d}"
            store = STORES[receipt % len(STORES)]
            cust = "" if rnd.random() < 0.25 else f"L-{rnd.randint(1, ncustomers):07d}"
            for _ in range(lines):
                sku, name, brand, cat, cents = skus[rnd.randrange(len(skus))]
                name_q = '"' + name.replace('"', '""') + '"'
                out.append(f"R{receipt:09d},{at},{store},{cust},{sku},{name_q},{brand},{cat},"
                           f"{cents // 100}.{cents % 100:02d},{rnd.randint(1, 3)}\n")
            written += lines
            if len(out) > 10000:
                f.write("".join(out))
                out.clear()
        f.write("".join(out))


if __name__ == "__main__":
    if len(sys.argv) < 4 or sys.argv[1] not in ("customers", "purchases"):
        sys.exit(__doc__)
    if sys.argv[1] == "customers":
        customers(int(sys.argv[2]), sys.argv[3])
    else:
        purchases(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 100000)
