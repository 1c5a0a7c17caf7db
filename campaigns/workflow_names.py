"""The review workflows' and tasks' names. Staff read them in the Japanese admin ("…に提出する",
the workflow list, the page's status), so they are Japanese;
`campaigns/0007_workflow_japanese_names` renamed the English ones. Code and tests use these."""

# Draft → review by the editors → publish, for every campaign (campaigns/0002).
CAMPAIGN_REVIEW = "キャンペーンの確認"
EDITORS_REVIEW = "編集者による確認"
# Wagtail's own default workflow and its one task (wagtailcore/0048).
MODERATORS_APPROVAL = "モデレーターによる承認"

# Each name before the rename.
RENAMED_FROM = {
    CAMPAIGN_REVIEW: "Campaign review",
    EDITORS_REVIEW: "Editors review",
    MODERATORS_APPROVAL: "Moderators approval",
}
