"""Default thank-you texts: copied into the editable templates by a data migration, and used as
they are when staff have deleted a template. Placeholders: {name} {amount} {campaign} {date}
{organisation} {items}, and {milestone} {shifts} {hours} for volunteer milestones. Plain
constants only (the migrations import this module)."""

SIGNATURE_JA = "\n\n{organisation}"
SIGNATURE_EN = "\n\n{organisation}"

DEFAULTS: dict[tuple[str, str], tuple[str, str]] = {
    ("one_off", "ja"): (
        "ご寄付ありがとうございます",
        "{name} 様\n\n{date}に{amount}円のご寄付をいただきました。心よりお礼申し上げます。\n"
        "いただいたご寄付は、子どもたちの食事と居場所づくりに大切に使わせていただきます。"
        + SIGNATURE_JA,
    ),
    ("one_off", "en"): (
        "Thank you for your gift",
        "Dear {name},\n\nThank you for your gift of ¥{amount} on {date}. It will go straight to "
        "meals and safe places for children." + SIGNATURE_EN,
    ),
    ("first_monthly", "ja"): (
        "毎月のご寄付をはじめていただき、ありがとうございます",
        "{name} 様\n\n毎月{amount}円のご寄付をはじめていただき、ありがとうございます。\n"
        "継続的なご支援は、子どもたちの居場所を安定して続ける力になります。" + SIGNATURE_JA,
    ),
    ("first_monthly", "en"): (
        "Thank you for becoming a monthly supporter",
        "Dear {name},\n\nThank you for starting a monthly gift of ¥{amount}. Steady support "
        "like yours keeps the children's places open all year." + SIGNATURE_EN,
    ),
    ("membership_joined", "ja"): (
        "ご入会ありがとうございます",
        "{name} 様\n\n会費{amount}円をお受けしました({date})。応援団へようこそ。\n"
        "これから活動のお知らせをお届けします。" + SIGNATURE_JA,
    ),
    ("membership_joined", "en"): (
        "Welcome, and thank you for joining",
        "Dear {name},\n\nWe received your membership fee of ¥{amount} on {date}. Welcome to "
        "the supporters' group!" + SIGNATURE_EN,
    ),
    ("membership_renewed", "ja"): (
        "会員の更新ありがとうございます",
        "{name} 様\n\n会費{amount}円をお受けしました({date})。今年も応援をよろしくお願いします。"
        + SIGNATURE_JA,
    ),
    ("membership_renewed", "en"): (
        "Thank you for renewing your membership",
        "Dear {name},\n\nWe received your membership fee of ¥{amount} on {date}. Thank you "
        "for staying with us for another year." + SIGNATURE_EN,
    ),
    ("inkind_delivery", "ja"): (
        "物品のご提供ありがとうございます",
        "{name} 様\n\n{date}に物品をお届けいただきました。ありがとうございます。\n"
        "お受け取りした物品:\n{items}\n\n"
        "子ども食堂やフードパントリーで大切に活用させていただきます。" + SIGNATURE_JA,
    ),
    ("inkind_delivery", "en"): (
        "Thank you for your donation of goods",
        "Dear {name},\n\nThank you for the goods delivered on {date}. We received:\n{items}\n\n"
        "They will be put to good use at our children's places and food pantry." + SIGNATURE_EN,
    ),
    ("campaign_goal_reached", "ja"): (
        "「{campaign}」が目標を達成しました",
        "{name} 様\n\nご支援いただいた「{campaign}」が、皆さまのおかげで目標を達成しました。\n"
        "本当にありがとうございます。活動のご報告は、これからもお届けします。" + SIGNATURE_JA,
    ),
    ("campaign_goal_reached", "en"): (
        "{campaign} reached its goal",
        "Dear {name},\n\nThanks to you, {campaign} has reached its goal. Thank you so much; we "
        "will keep you posted on what your support makes possible." + SIGNATURE_EN,
    ),
    ("bulk", "ja"): (
        "「{campaign}」へのご支援ありがとうございました",
        "{name} 様\n\n「{campaign}」にご支援をいただき、ありがとうございました。" + SIGNATURE_JA,
    ),
    ("bulk", "en"): (
        "Thank you for supporting {campaign}",
        "Dear {name},\n\nThank you for supporting {campaign}." + SIGNATURE_EN,
    ),
    ("volunteer_milestone", "ja"): (
        "{milestone}、ありがとうございます",
        "{name} 様\n\n{milestone}を迎えました。これまでに{shifts}回、合計{hours}時間、"
        "子どもたちの居場所で活動していただきました。心よりお礼申し上げます。\n"
        "これからもどうぞよろしくお願いいたします。" + SIGNATURE_JA,
    ),
    ("volunteer_milestone", "en"): (
        "Thank you for {milestone} with us",
        "Dear {name},\n\nYou have reached {milestone}: {shifts} shifts and {hours} hours so far "
        "at our children's places. Thank you so much for your time; the places run on it."
        + SIGNATURE_EN,
    ),
}
