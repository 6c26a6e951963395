#!/usr/bin/env bash
# post-comment.sh COMMENT_FILE — post albform's plan comment on pull request $PR_NUMBER of
# $GITHUB_REPOSITORY, or update the one posted before (found by its first line,
# "<!-- albform-plan: ..."). A plan longer than one GitHub comment arrives as several parts,
# each starting with that line: part N updates the N-th earlier comment, extra parts are
# posted, earlier comments no longer needed are deleted. Needs `gh` with GH_TOKEN.
set -euo pipefail
file=${1:?usage: post-comment.sh COMMENT_FILE}
repo=${GITHUB_REPOSITORY:?}
pr=${PR_NUMBER:?}
parts=$(mktemp -d)
trap 'rm -rf "$parts"' EXIT
awk -v dir="$parts" '/^<!-- albform-plan:/ { n++ } { print > sprintf("%s/part-%04d.md", dir, n) }' "$file"
mapfile -t existing < <(gh api --paginate "repos/$repo/issues/$pr/comments" \
  --jq '.[] | select(.body | startswith("<!-- albform-plan:")) | .id')
n=0
for part in "$parts"/part-*.md; do
  if [ "$n" -lt "${#existing[@]}" ]; then
    gh api -X PATCH "repos/$repo/issues/comments/${existing[$n]}" -F "body=@$part" > /dev/null
  else
    gh api -X POST "repos/$repo/issues/$pr/comments" -F "body=@$part" > /dev/null
  fi
  n=$((n + 1))
done
for id in "${existing[@]:$n}"; do
  gh api -X DELETE "repos/$repo/issues/comments/$id" > /dev/null
done
