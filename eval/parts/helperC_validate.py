import json, collections, sys
R = {json.loads(l)['id']: json.loads(l) for l in open('/work/main/corpus/reviews.jsonl')}
topics = dict(l.rstrip('\n').split('\t') for l in open('/work/main/eval/parts/helperC.topics.tsv') if l.strip())
rows = [l.split() for l in open('/work/main/eval/parts/helperC.qrels') if l.strip()]
errs = []
seen = set()
by = collections.defaultdict(list)
for r in rows:
    if len(r) != 4 or r[1] != '0' or r[3] not in ('0', '1', '2'):
        errs.append(f'bad line {r}')
        continue
    q, _, d, g = r
    if d not in R: errs.append(f'unknown review {d}')
    if q not in topics: errs.append(f'qid not in topics {q}')
    if (q, d) in seen: errs.append(f'duplicate {q} {d}')
    seen.add((q, d)); by[q].append(int(g))
for q in topics:
    if 2 not in by.get(q, []): errs.append(f'{q} has no grade-2')
# constraint sanity checks for year/place questions
YEAR = {'con01': {2022}, 'con02': {2023}, 'con03': {2020}, 'con04': {2022, 2023}, 'con05': {2021}}
NONENG = {'Scotland', 'Wales', 'Isle of Man', 'Channel Islands'}
for q, d, g in ((r[0], r[2], int(r[3])) for r in rows):
    rv = R[d]
    if q in YEAR and g > 0 and rv['year'] not in YEAR[q]: errs.append(f'{q} {d} relevant but year {rv["year"]}')
    if q == 'con07' and g > 0 and rv['nation'] not in NONENG: errs.append(f'{q} {d} relevant but nation {rv["nation"]}')
    if q == 'con11' and g > 0 and rv['area'] != 'Surrey': errs.append(f'{q} {d} relevant but area {rv["area"]}')
print('questions', len(topics), 'judgments', len(rows))
print('grades', dict(sorted(collections.Counter(r[3] for r in rows).items())))
for q in sorted(topics):
    c = collections.Counter(by[q]); print(q, dict(sorted(c.items())), 'relevant', c[1] + c[2])
print('ERRORS' if errs else 'OK', *errs, sep='\n')
sys.exit(1 if errs else 0)
