//! Text banks for simulated customers and colleagues.
//!
//! This module owns every piece of wording the demo traffic generator puts in
//! front of an agent: customer openings, follow-ups and farewells, colleague
//! replies and customer names, in English and French, shaped for web chat,
//! SMS, email and social channels. Messages are composed from parts (greeting,
//! problem statement, detail, closing) and realistic details (amounts, dates,
//! order numbers, addresses, device models) are filled in at random, so long
//! demo runs do not look repetitive. Everything here is pure: no IO, no clock.

use rand::Rng;

/// Language of a simulated conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English.
    En,
    /// French.
    Fr,
}

/// Channel style the text is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Web chat: conversational, a few sentences.
    Chat,
    /// SMS: short and informal, sometimes without a greeting.
    Sms,
    /// Email: subject line, greeting, a few sentences and a sign-off.
    Email,
    /// Social (Facebook, Instagram): public-facing and brief.
    Social,
}

/// What a customer writes about; the simulator maps it to a category and queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    /// Invoices, charges, refunds and payments.
    Billing,
    /// Broadband, TV or mobile service not working.
    Outage,
    /// Moving house and transferring the service.
    Moving,
    /// Changing to a bigger plan, adding options, new phone.
    Upgrade,
    /// Faulty or confusing equipment (hub, TV box, phone).
    Device,
    /// Leaving, ending a contract or a line.
    Cancellation,
    /// Orders and parcels that are late, lost or wrong.
    Delivery,
    /// Using the mobile abroad.
    Roaming,
}

impl Topic {
    /// Every topic, in a stable order.
    pub const ALL: [Topic; 8] = [
        Topic::Billing,
        Topic::Outage,
        Topic::Moving,
        Topic::Upgrade,
        Topic::Device,
        Topic::Cancellation,
        Topic::Delivery,
        Topic::Roaming,
    ];

    /// Stable name used as the category key, e.g. "billing".
    #[must_use]
    pub fn key(self) -> &'static str {
        match self {
            Topic::Billing => "billing",
            Topic::Outage => "outage",
            Topic::Moving => "moving",
            Topic::Upgrade => "upgrade",
            Topic::Device => "device",
            Topic::Cancellation => "cancellation",
            Topic::Delivery => "delivery",
            Topic::Roaming => "roaming",
        }
    }
}

/// A customer's first message: (subject, body). Subject is `Some` only for `Style::Email`.
pub fn opening(
    rng: &mut impl Rng,
    lang: Lang,
    style: Style,
    topic: Topic,
    customer_first_name: &str,
) -> (Option<String>, String) {
    let bank = bank(lang, topic);
    let words = parts(lang);
    match style {
        Style::Chat => (None, chat_opening(rng, lang, bank, words, customer_first_name)),
        Style::Sms => (None, sms_opening(rng, lang, bank, words)),
        Style::Email => {
            let (subject, body) = email_opening(rng, lang, bank, words, customer_first_name);
            (Some(subject), body)
        }
        Style::Social => (None, social_opening(rng, lang, bank, words)),
    }
}

/// A customer's follow-up answer to an agent's reply (gives details, asks a further question, or thanks).
pub fn follow_up(rng: &mut impl Rng, lang: Lang, style: Style, topic: Topic) -> String {
    let bank = bank(lang, topic);
    let words = parts(lang);
    let roll = rng.random_range(0..10);
    let content = if roll < 5 {
        fill_pick(rng, lang, bank.details)
    } else if roll < 8 {
        fill_pick(rng, lang, bank.questions)
    } else {
        pick(rng, words.follow_acks).to_owned()
    };
    match style {
        Style::Chat => {
            if rng.random_bool(0.35) {
                sentences(&[pick(rng, words.chat_prefixes).to_owned(), content])
            } else {
                content
            }
        }
        Style::Sms => {
            let prefix = if rng.random_bool(0.35) { pick(rng, words.sms_prefixes) } else { "" };
            let text = sentences(&[prefix.to_owned(), content.clone()]);
            if text.chars().count() > SMS_LIMIT { content } else { text }
        }
        Style::Email => {
            let greeting = pick(rng, words.email_greetings);
            let intro = pick(rng, words.email_reply_intros).to_owned();
            let extra =
                if roll < 5 && rng.random_bool(0.5) { fill_pick(rng, lang, bank.questions) } else { String::new() };
            let ending = pick(rng, words.plain_endings);
            let text = sentences(&[intro, content, extra]);
            format!("{greeting}\n\n{text}\n\n{ending}")
        }
        Style::Social => {
            if rng.random_bool(0.5) {
                sentences(&[pick(rng, words.social_prefixes).to_owned(), content])
            } else {
                content
            }
        }
    }
}

/// A customer's last words before leaving/closing (thanks, goodbye, or frustration).
pub fn farewell(rng: &mut impl Rng, lang: Lang, style: Style) -> String {
    let words = parts(lang);
    let upset = rng.random_bool(0.15);
    let (happy, unhappy) = match style {
        Style::Chat => (words.bye_chat_ok, words.bye_chat_bad),
        Style::Sms => (words.bye_sms_ok, words.bye_sms_bad),
        Style::Email => (words.bye_email_ok, words.bye_email_bad),
        Style::Social => (words.bye_social_ok, words.bye_social_bad),
    };
    let line = pick(rng, if upset { unhappy } else { happy });
    if style == Style::Email {
        let greeting = pick(rng, words.email_greetings);
        let ending = pick(rng, if upset { words.upset_endings } else { words.plain_endings });
        format!("{greeting}\n\n{line}\n\n{ending}")
    } else {
        line.to_owned()
    }
}

/// A simulated colleague's reply to a customer on this topic (greeting by name on first reply when `first` is true).
pub fn agent_reply(rng: &mut impl Rng, lang: Lang, topic: Topic, customer_first_name: &str, first: bool) -> String {
    let bank = bank(lang, topic);
    let words = parts(lang);
    let mut out = Vec::new();
    if first {
        out.push(pick(rng, words.agent_greetings).replace("{name}", customer_first_name));
    } else if rng.random_bool(0.5) {
        out.push(pick(rng, words.agent_acks).replace("{name}", customer_first_name));
    }
    out.push(fill_pick(rng, lang, bank.agent));
    if rng.random_bool(if first { 0.3 } else { 0.4 }) {
        out.push(pick(rng, words.agent_tails).to_owned());
    }
    sentences(&out)
}

/// A random customer name typical for the language: (first, last).
pub fn customer_name(rng: &mut impl Rng, lang: Lang) -> (&'static str, &'static str) {
    let words = parts(lang);
    (pick(rng, words.first_names), pick(rng, words.last_names))
}

// ---------------------------------------------------------------------------
// Composition
// ---------------------------------------------------------------------------

/// Longest SMS we aim for; parts are dropped rather than exceed it.
const SMS_LIMIT: usize = 160;

/// The public handle customers tag on social networks.
const MENTION: &str = "@NorthwindTelecom";

/// Picks one item; never panics (an empty slice gives "").
fn pick<'a, R: Rng>(rng: &mut R, items: &'a [&'a str]) -> &'a str {
    if items.is_empty() {
        return "";
    }
    items[rng.random_range(0..items.len())]
}

/// Picks a template and fills in its placeholders.
fn fill_pick<R: Rng>(rng: &mut R, lang: Lang, items: &[&str]) -> String {
    let template = pick(rng, items);
    fill(rng, lang, template)
}

/// Joins non-empty sentences with single spaces.
fn sentences(items: &[String]) -> String {
    let mut out = String::new();
    for item in items.iter().filter(|s| !s.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(item);
    }
    out
}

/// Adds a full stop when the text does not already end a sentence.
fn end_sentence(text: &str) -> String {
    match text.chars().next_back() {
        Some('.' | '!' | '?' | '\u{2026}') | None => text.to_owned(),
        Some(_) => format!("{text}."),
    }
}

fn chat_opening<R: Rng>(rng: &mut R, lang: Lang, bank: &Bank, words: &Parts, name: &str) -> String {
    let mut out = Vec::new();
    if rng.random_bool(0.25) {
        out.push(pick(rng, words.chat_intros).replace("{name}", name));
    } else if rng.random_bool(0.85) {
        out.push(pick(rng, words.chat_greetings).to_owned());
    }
    out.push(fill_pick(rng, lang, bank.problems));
    if rng.random_bool(0.6) {
        out.push(fill_pick(rng, lang, bank.details));
    }
    if rng.random_bool(0.3) {
        out.push(fill_pick(rng, lang, bank.questions));
    } else if rng.random_bool(0.4) {
        out.push(pick(rng, words.chat_closings).to_owned());
    }
    sentences(&out)
}

fn sms_opening<R: Rng>(rng: &mut R, lang: Lang, bank: &Bank, words: &Parts) -> String {
    let line = fill_pick(rng, lang, bank.sms);
    let greeting = if rng.random_bool(0.5) { pick(rng, words.sms_greetings) } else { "" };
    let body = if rng.random_bool(0.4) {
        let closing = pick(rng, words.sms_closings);
        format!("{} {closing}", end_sentence(&line))
    } else {
        line.clone()
    };
    let text = sentences(&[greeting.to_owned(), body]);
    if text.chars().count() > SMS_LIMIT { line } else { text }
}

fn email_opening<R: Rng>(rng: &mut R, lang: Lang, bank: &Bank, words: &Parts, name: &str) -> (String, String) {
    let mut subject = fill_pick(rng, lang, bank.subjects);
    if rng.random_bool(0.15) {
        subject = format!("{}{subject}", words.urgent);
    }
    let greeting = pick(rng, words.email_greetings);
    let mut out = Vec::new();
    if rng.random_bool(0.3) {
        out.push(pick(rng, words.email_openers).to_owned());
    }
    out.push(fill_pick(rng, lang, bank.problems));
    out.push(fill_pick(rng, lang, bank.details));
    if rng.random_bool(0.5) {
        out.push(fill_pick(rng, lang, bank.questions));
    }
    out.push(pick(rng, words.email_closings).to_owned());
    let text = sentences(&out);
    let signoff = pick(rng, words.email_signoffs);
    (subject, format!("{greeting}\n\n{text}\n\n{signoff}\n{name}"))
}

fn social_opening<R: Rng>(rng: &mut R, lang: Lang, bank: &Bank, words: &Parts) -> String {
    let body = if rng.random_bool(0.6) {
        fill_pick(rng, lang, bank.problems)
    } else {
        end_sentence(&fill_pick(rng, lang, bank.sms))
    };
    let tail = if rng.random_bool(0.6) { pick(rng, words.social_tails) } else { "" };
    match rng.random_range(0..3) {
        0 => sentences(&[MENTION.to_owned(), body, tail.to_owned()]),
        1 => sentences(&[body, tail.to_owned(), MENTION.to_owned()]),
        _ => sentences(&[body, tail.to_owned()]),
    }
}

// ---------------------------------------------------------------------------
// Placeholders
// ---------------------------------------------------------------------------

/// Replaces every `{key}` in the template with a realistic random value.
fn fill<R: Rng>(rng: &mut R, lang: Lang, template: &str) -> String {
    let mut out = String::with_capacity(template.len() + 24);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        if let Some(end) = after.find('}') {
            out.push_str(&placeholder(rng, lang, &after[..end]));
            rest = &after[end + 1..];
        } else {
            out.push_str(&rest[start..]);
            rest = "";
        }
    }
    out.push_str(rest);
    out
}

const CENTS: &[u32] = &[0, 49, 50, 90, 95, 99];

const PHONES: &[&str] = &["Orion 14", "Orion 13 mini", "Nova X5", "Nova A3", "Pixo 12 Pro"];

fn placeholder<R: Rng>(rng: &mut R, lang: Lang, key: &str) -> String {
    let words = parts(lang);
    let fr = lang == Lang::Fr;
    match key {
        "amount" => {
            let euros: u32 = rng.random_range(12..=149);
            let cents = CENTS[rng.random_range(0..CENTS.len())];
            if fr { format!("{euros},{cents:02} €") } else { format!("€{euros}.{cents:02}") }
        }
        "date" => {
            let day: u32 = rng.random_range(1..=28);
            let month = pick(rng, words.months);
            if fr && day == 1 { format!("1er {month}") } else { format!("{day} {month}") }
        }
        "order" => {
            let number: u32 = rng.random_range(10_000..=99_999);
            format!("NW-{number}")
        }
        "account" => {
            let number: u32 = rng.random_range(10_000_000..=99_999_999);
            number.to_string()
        }
        "speed" => {
            let mbps: u32 = rng.random_range(1..=40);
            if fr { format!("{mbps} Mb/s") } else { format!("{mbps} Mbps") }
        }
        "days" => rng.random_range(2..=9_u32).to_string(),
        "address" => {
            let number: u32 = rng.random_range(1..=120);
            let street = pick(rng, words.streets);
            let town = pick(rng, words.towns);
            format!("{number} {street}, {town}")
        }
        "city" => pick(rng, words.cities).to_owned(),
        "device" => pick(rng, words.devices).to_owned(),
        "phone" => pick(rng, PHONES).to_owned(),
        "in_country" => pick(rng, words.countries).to_owned(),
        "plan" => pick(rng, words.plans).to_owned(),
        "since" => pick(rng, words.since).to_owned(),
        "slot" => pick(rng, words.slots).to_owned(),
        _ => format!("{{{key}}}"),
    }
}

// ---------------------------------------------------------------------------
// Language-wide wording
// ---------------------------------------------------------------------------

/// Wording shared by every topic in one language.
struct Parts {
    chat_greetings: &'static [&'static str],
    chat_intros: &'static [&'static str],
    chat_closings: &'static [&'static str],
    sms_greetings: &'static [&'static str],
    sms_closings: &'static [&'static str],
    email_greetings: &'static [&'static str],
    email_openers: &'static [&'static str],
    email_closings: &'static [&'static str],
    email_signoffs: &'static [&'static str],
    plain_endings: &'static [&'static str],
    upset_endings: &'static [&'static str],
    urgent: &'static str,
    social_tails: &'static [&'static str],
    follow_acks: &'static [&'static str],
    chat_prefixes: &'static [&'static str],
    sms_prefixes: &'static [&'static str],
    email_reply_intros: &'static [&'static str],
    social_prefixes: &'static [&'static str],
    bye_chat_ok: &'static [&'static str],
    bye_chat_bad: &'static [&'static str],
    bye_sms_ok: &'static [&'static str],
    bye_sms_bad: &'static [&'static str],
    bye_email_ok: &'static [&'static str],
    bye_email_bad: &'static [&'static str],
    bye_social_ok: &'static [&'static str],
    bye_social_bad: &'static [&'static str],
    agent_greetings: &'static [&'static str],
    agent_acks: &'static [&'static str],
    agent_tails: &'static [&'static str],
    first_names: &'static [&'static str],
    last_names: &'static [&'static str],
    months: &'static [&'static str],
    cities: &'static [&'static str],
    streets: &'static [&'static str],
    towns: &'static [&'static str],
    countries: &'static [&'static str],
    devices: &'static [&'static str],
    plans: &'static [&'static str],
    since: &'static [&'static str],
    slots: &'static [&'static str],
}

fn parts(lang: Lang) -> &'static Parts {
    match lang {
        Lang::En => &EN_PARTS,
        Lang::Fr => &FR_PARTS,
    }
}

#[rustfmt::skip]
static EN_PARTS: Parts = Parts {
    chat_greetings: &[
        "Hi there!", "Hello.", "Hi!", "Good morning.", "Hello, hope you can help.", "Hey.",
    ],
    chat_intros: &["Hi, this is {name}.", "Hello, my name is {name}.", "Hi, it's {name} here."],
    chat_closings: &[
        "Can you help?", "Thanks in advance.", "Could you look into it for me?",
        "I'd appreciate some help with this.", "Thanks!",
    ],
    sms_greetings: &["Hi.", "Hello!", "Hey!", "Hi there."],
    sms_closings: &["Thx", "Thanks", "Pls call me back", "Cheers", "Urgent pls", "Ta"],
    email_greetings: &[
        "Hello,", "Dear Northwind Telecom team,", "Hi,", "Good afternoon,", "Dear Sir or Madam,",
    ],
    email_openers: &[
        "I hope you can help me with the following.", "I'm writing about my account.",
        "I'm getting in touch about a problem with my service.",
    ],
    email_closings: &[
        "Thank you in advance for your help.", "I look forward to hearing from you.",
        "I'd appreciate a quick response.", "Please let me know what you can do.",
        "Many thanks for your help.",
    ],
    email_signoffs: &["Kind regards,", "Best regards,", "Regards,", "Many thanks,", "Best wishes,"],
    plain_endings: &["Thanks again.", "Thank you.", "Many thanks.", "Best regards."],
    upset_endings: &["Regards.", "I expect a reply."],
    urgent: "Urgent: ",
    social_tails: &[
        "Can someone help?", "Please DM me.", "I've sent you a DM.", "Any update?",
        "Thanks in advance!",
    ],
    follow_acks: &[
        "Ok, thanks for checking.", "Great, that helps a lot.", "Perfect, thank you.",
        "Ok, I'll try that now.", "Thanks, that's good to know.",
    ],
    chat_prefixes: &["Ok.", "Sure.", "Right.", "Yes.", "Thanks."],
    sms_prefixes: &["Ok.", "Yep.", "Ah ok."],
    email_reply_intros: &[
        "Thank you for your reply.", "Thanks for getting back to me.",
        "Thank you for your quick answer.",
    ],
    social_prefixes: &["Thanks for the reply.", "DM sent.", "Thanks for getting back to me."],
    bye_chat_ok: &[
        "Thanks a lot, that's everything. Bye!", "Great, thank you for your help!",
        "Perfect, have a nice day.", "Ok thanks, bye.", "Brilliant, that's sorted then. Thanks!",
        "Thank you, you've been very helpful.",
    ],
    bye_chat_bad: &[
        "This is taking too long, I'll call instead.", "Forget it, I'll sort it out myself.",
        "Not very helpful, but ok. Bye.", "I'll be looking at other providers. Goodbye.",
    ],
    bye_sms_ok: &[
        "Ok thx, bye", "Great thanks!", "Cheers", "Perfect, thanks a lot", "Ok will wait. Thanks",
    ],
    bye_sms_bad: &["Fine. Whatever.", "Not happy. Bye", "Still not sorted, I'll call"],
    bye_email_ok: &[
        "Thank you for your help, everything is now working as expected.",
        "Thanks for sorting this out so quickly, I really appreciate it.",
        "That answers my question, thank you. I consider the matter closed.",
    ],
    bye_email_bad: &[
        "I'm disappointed with how long this has taken. I'll be making a formal complaint.",
        "This still isn't resolved and I'm running out of patience. Please escalate it.",
    ],
    bye_social_ok: &[
        "Sorted, thanks for the quick reply @NorthwindTelecom!", "All working now, thanks!",
        "Thanks for the help, great service.",
    ],
    bye_social_bad: &[
        "Still not fixed. Very disappointed @NorthwindTelecom.",
        "Days later and still nothing. Not impressed.",
    ],
    agent_greetings: &[
        "Hi {name}, thanks for contacting Northwind Telecom.",
        "Hello {name}, thank you for reaching out.", "Hi {name}, I'll be happy to help with that.",
        "Good day {name}, thanks for your message.",
    ],
    agent_acks: &[
        "Thanks for that.", "Thank you for confirming.", "Understood, {name}.",
        "Perfect, thanks {name}.", "Thanks for the details.",
    ],
    agent_tails: &[
        "Is there anything else I can help you with?",
        "Let me know if you have any other questions.", "I'll keep an eye on this for you.",
        "I've added a note to your account.",
    ],
    first_names: &[
        "Aoife", "Ciaran", "Emma", "Liam", "Siobhan", "Conor", "Grace", "Jack", "Niamh", "Sean",
        "Chloe", "Daniel", "Sarah", "Patrick", "Megan", "Tom", "Rachel", "Owen",
    ],
    last_names: &[
        "Murphy", "Kelly", "O'Brien", "Walsh", "Byrne", "Ryan", "Doyle", "Smith", "Brennan",
        "Taylor", "Gallagher", "Kennedy", "Clarke", "Fitzgerald", "Nolan", "Hughes",
    ],
    months: &[
        "January", "February", "March", "April", "May", "June", "July", "August", "September",
        "October", "November", "December",
    ],
    cities: &["Dublin", "Cork", "Galway", "Limerick", "Waterford", "Kilkenny", "Sligo", "Athlone"],
    streets: &[
        "Harbour Road", "Main Street", "Church Lane", "Oak Park Avenue", "Station Road",
        "Willow Close",
    ],
    towns: &["Dublin 8", "Cork", "Galway", "Limerick", "Bray, Co. Wicklow", "Navan, Co. Meath"],
    countries: &[
        "in Spain", "in Portugal", "in the US", "in Switzerland", "in Morocco", "in Canada",
    ],
    devices: &[
        "Northwind Hub 3", "Northwind Hub 2", "Hub 3 Mini", "NW TV Box 4K", "Northwind Mesh Point",
    ],
    plans: &["Fibre 500", "Fibre 1 Gig", "Unlimited 5G", "Mobile 40GB", "TV Essentials"],
    since: &[
        "since this morning", "since last night", "since about 6pm", "for two days now",
        "since Sunday",
    ],
    slots: &["between 8am and 1pm", "after 5pm", "in the late morning", "between 1pm and 6pm"],
};

#[rustfmt::skip]
static FR_PARTS: Parts = Parts {
    chat_greetings: &[
        "Bonjour.", "Bonjour !", "Bonsoir.", "Bonjour, j'espère que vous pourrez m'aider.",
        "Salut !",
    ],
    chat_intros: &[
        "Bonjour, c'est {name}.", "Bonjour, je m'appelle {name}.", "Bonsoir, ici {name}.",
    ],
    chat_closings: &[
        "Vous pouvez m'aider ?", "Merci d'avance.", "Pouvez-vous regarder ce qui se passe ?",
        "Merci de votre aide.", "Merci !",
    ],
    sms_greetings: &["Bonjour.", "Bonjour !", "Salut !", "Bonsoir."],
    sms_closings: &["Merci", "Mci", "Rappelez-moi svp", "Merci d'avance", "C'est urgent"],
    email_greetings: &[
        "Bonjour,", "Madame, Monsieur,", "Bonjour à toute l'équipe,", "Bonsoir,",
        "Bonjour Northwind Telecom,",
    ],
    email_openers: &[
        "Je me permets de vous contacter au sujet de mon abonnement.",
        "Je vous écris concernant mon compte client.",
        "Je rencontre un souci avec mon service et j'aurais besoin de votre aide.",
    ],
    email_closings: &[
        "Je vous remercie par avance pour votre aide.",
        "Dans l'attente de votre retour, je reste disponible.",
        "Merci de me tenir informé de la suite.", "Je compte sur une réponse rapide de votre part.",
        "Merci d'avance pour votre retour.",
    ],
    email_signoffs: &[
        "Cordialement,", "Bien cordialement,", "Bien à vous,", "Sincères salutations,",
        "Bonne journée,",
    ],
    plain_endings: &["Merci encore.", "Cordialement.", "Bien à vous.", "Merci beaucoup."],
    upset_endings: &["Salutations.", "J'attends votre réponse."],
    urgent: "Urgent : ",
    social_tails: &[
        "Quelqu'un peut m'aider ?", "Merci de me répondre en MP.",
        "Je vous ai envoyé un message privé.", "Des nouvelles ?", "Merci d'avance !",
    ],
    follow_acks: &[
        "D'accord, merci d'avoir vérifié.", "Super, ça m'aide beaucoup.", "Parfait, merci.",
        "Ok, j'essaie tout de suite.", "Merci, c'est bon à savoir.",
    ],
    chat_prefixes: &["D'accord.", "Oui.", "Ok.", "Très bien.", "Merci."],
    sms_prefixes: &["Ok.", "Oui.", "Ah ok."],
    email_reply_intros: &[
        "Merci pour votre réponse.", "Merci de votre retour rapide.",
        "Je vous remercie pour votre réponse.",
    ],
    social_prefixes: &["Merci pour la réponse.", "MP envoyé.", "Merci de votre retour."],
    bye_chat_ok: &[
        "Merci beaucoup, c'est tout pour moi. Bonne journée !", "Super, merci pour votre aide !",
        "Parfait, bonne soirée.", "Ok merci, au revoir.", "Génial, c'est réglé alors. Merci !",
        "Merci, vous m'avez bien aidé.",
    ],
    bye_chat_bad: &[
        "C'est beaucoup trop long, je vais plutôt appeler.",
        "Laissez tomber, je vais me débrouiller.", "Pas très utile, mais bon. Au revoir.",
        "Je vais voir ailleurs. Au revoir.",
    ],
    bye_sms_ok: &[
        "Ok merci, bonne journée", "Super merci !", "Parfait, merci bcp", "Ok j'attends. Merci",
        "Top, merci",
    ],
    bye_sms_bad: &[
        "Bon. Tant pis.", "Pas content. Au revoir", "Toujours pas réglé, je vais appeler",
    ],
    bye_email_ok: &[
        "Merci pour votre aide, tout fonctionne de nouveau normalement.",
        "Merci d'avoir réglé cela aussi rapidement, c'est très apprécié.",
        "Cela répond à ma question, merci. Je considère le dossier comme clos.",
    ],
    bye_email_bad: &[
        "Je suis déçu du temps qu'il a fallu pour traiter ma demande. Je vais déposer une réclamation.",
        "Le problème n'est toujours pas résolu et ma patience a des limites. Merci de transmettre mon dossier à un responsable.",
    ],
    bye_social_ok: &[
        "C'est réglé, merci pour la réponse rapide @NorthwindTelecom !", "Tout remarche, merci !",
        "Merci pour l'aide, super service.",
    ],
    bye_social_bad: &[
        "Toujours pas réparé. Très déçu @NorthwindTelecom.",
        "Des jours que ça dure et toujours rien. Lamentable.",
    ],
    agent_greetings: &[
        "Bonjour {name}, merci d'avoir contacté Northwind Telecom.",
        "Bonjour {name}, merci pour votre message.",
        "Bonjour {name}, je vais vous aider avec plaisir.",
        "Bonjour {name}, je m'occupe de votre demande.",
    ],
    agent_acks: &[
        "Merci pour ces informations.", "Merci de votre confirmation.", "Très bien, {name}.",
        "Parfait, merci {name}.", "C'est noté.",
    ],
    agent_tails: &[
        "Puis-je vous aider pour autre chose ?", "N'hésitez pas si vous avez d'autres questions.",
        "Je garde un œil sur votre dossier.", "J'ai ajouté une note sur votre compte.",
    ],
    first_names: &[
        "Camille", "Julien", "Léa", "Thomas", "Manon", "Nicolas", "Chloé", "Hugo", "Inès",
        "Mathieu", "Sophie", "Antoine", "Émilie", "Karim", "Élodie", "Baptiste", "Nadia", "Pierre",
    ],
    last_names: &[
        "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
        "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "Fontaine", "Rousseau",
        "Benali",
    ],
    months: &[
        "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
        "octobre", "novembre", "décembre",
    ],
    cities: &[
        "Lyon", "Bordeaux", "Toulouse", "Nantes", "Lille", "Rennes", "Marseille", "Strasbourg",
    ],
    streets: &[
        "rue des Lilas", "avenue Jean Jaurès", "boulevard Victor Hugo", "rue de la République",
        "impasse des Tilleuls", "place du Marché",
    ],
    towns: &[
        "69003 Lyon", "33000 Bordeaux", "31400 Toulouse", "44000 Nantes", "59000 Lille",
        "35000 Rennes",
    ],
    countries: &[
        "en Espagne", "au Portugal", "aux États-Unis", "en Suisse", "au Maroc", "au Canada",
    ],
    devices: &[
        "Northwind Hub 3", "Northwind Hub 2", "Hub 3 Mini", "décodeur NW 4K",
        "répéteur Northwind Mesh",
    ],
    plans: &["Fibre 500", "Fibre 1 Giga", "Illimité 5G", "Mobile 40 Go", "TV Essentiel"],
    since: &[
        "depuis ce matin", "depuis hier soir", "depuis 18 h environ", "depuis deux jours",
        "depuis dimanche",
    ],
    slots: &["entre 8 h et 13 h", "après 17 h", "en fin de matinée", "entre 13 h et 18 h"],
};

// ---------------------------------------------------------------------------
// Topic banks
// ---------------------------------------------------------------------------

/// Wording for one topic in one language. Templates may hold `{placeholders}`.
struct Bank {
    subjects: &'static [&'static str],
    problems: &'static [&'static str],
    details: &'static [&'static str],
    questions: &'static [&'static str],
    sms: &'static [&'static str],
    agent: &'static [&'static str],
}

fn bank(lang: Lang, topic: Topic) -> &'static Bank {
    match (lang, topic) {
        (Lang::En, Topic::Billing) => &EN_BILLING,
        (Lang::En, Topic::Outage) => &EN_OUTAGE,
        (Lang::En, Topic::Moving) => &EN_MOVING,
        (Lang::En, Topic::Upgrade) => &EN_UPGRADE,
        (Lang::En, Topic::Device) => &EN_DEVICE,
        (Lang::En, Topic::Cancellation) => &EN_CANCELLATION,
        (Lang::En, Topic::Delivery) => &EN_DELIVERY,
        (Lang::En, Topic::Roaming) => &EN_ROAMING,
        (Lang::Fr, Topic::Billing) => &FR_BILLING,
        (Lang::Fr, Topic::Outage) => &FR_OUTAGE,
        (Lang::Fr, Topic::Moving) => &FR_MOVING,
        (Lang::Fr, Topic::Upgrade) => &FR_UPGRADE,
        (Lang::Fr, Topic::Device) => &FR_DEVICE,
        (Lang::Fr, Topic::Cancellation) => &FR_CANCELLATION,
        (Lang::Fr, Topic::Delivery) => &FR_DELIVERY,
        (Lang::Fr, Topic::Roaming) => &FR_ROAMING,
    }
}

#[rustfmt::skip]
static EN_BILLING: Bank = Bank {
    subjects: &[
        "Question about my latest bill", "Incorrect charge on my invoice", "Overcharged this month",
        "Direct debit taken twice", "Bill dated {date} looks wrong",
    ],
    problems: &[
        "My bill this month is way higher than usual and I don't understand why.",
        "I've been charged twice for the same month.",
        "There's a charge on my invoice that I don't recognise.",
        "My direct debit failed and now I've got a late payment fee.",
        "I was promised a discount when I signed up but it's not showing on my bill.",
        "I think I'm still being billed for a TV package I cancelled.",
        "I need a copy of my last three invoices for my accountant.",
    ],
    details: &[
        "The invoice from {date} says {amount}, but I normally pay {amount}.",
        "My account number is {account}, if that helps.",
        "The extra line is called 'Premium services' and it's {amount}.",
        "The payment was taken on {date} and again two days later.",
        "I'm on the {plan} plan and I've never added anything to it.",
    ],
    questions: &[
        "Can you tell me what this charge is for?",
        "Will I get a refund, and how long will it take?", "Can you remove the late fee?",
        "Is it possible to change my payment date to the end of the month?",
    ],
    sms: &[
        "Why is my bill {amount} this month?? Normally its way less",
        "Charged twice for my broadband, pls sort. Acc {account}",
        "Got a late fee of {amount}, the DD failed on your side not mine",
        "What's the {amount} extra on my bill?",
        "Need my invoices from the last 3 months, can u email them",
    ],
    agent: &[
        "I can see the invoice from {date}; the difference comes from a one-off charge of {amount} for out-of-bundle calls.",
        "I've checked your account and you were indeed charged twice. I've raised a refund of {amount}, which should arrive within 5 working days.",
        "I've removed the late payment fee, so your next bill will be {amount} lower.",
        "Could you confirm the account number and the first line of your address so I can look into this?",
        "Your loyalty discount expired on {date}. I've applied a new 12-month discount to the {plan} plan.",
        "I've emailed copies of your last three invoices to the address we have on file.",
    ],
};

#[rustfmt::skip]
static EN_OUTAGE: Bank = Bank {
    subjects: &[
        "Internet down {since}", "No broadband service", "Fault report: no connection",
        "TV and internet not working",
    ],
    problems: &[
        "My internet has been down {since}.", "The broadband keeps dropping every few minutes.",
        "My speed is terrible, I'm getting about {speed} when I pay for {plan}.",
        "The TV box says 'no signal' and none of the channels work.",
        "I've had no mobile signal at home {since}.",
        "The light on my {device} is flashing red and nothing connects.",
        "I work from home and the connection is completely unusable today.",
    ],
    details: &[
        "I've already restarted the {device} twice.",
        "We're in {city} and the neighbours have the same problem.",
        "A speed test just now gave me {speed}.", "It's been like this {since}.",
        "Everything is plugged in, and I've tried a different cable.",
        "My account number is {account}.",
    ],
    questions: &[
        "Is there a known outage in my area?", "When will it be fixed?",
        "Can you send a technician?", "Will I get compensation for the days without service?",
    ],
    sms: &[
        "Internet down {since}. Any outage in {city}?",
        "No wifi again!! Restarted the box twice already",
        "Speedtest says {speed}. Paying for {plan}. Not ok", "TV says no signal, whats going on",
        "Red light flashing on the router, no internet",
    ],
    agent: &[
        "I can confirm there's a network incident affecting part of {city}; our engineers are on site and expect to restore service within the next few hours.",
        "I've run a line test remotely and the {device} is losing sync. Could you unplug it for 30 seconds and plug it back in?",
        "I've booked a technician visit for {date}, {slot}.",
        "The line test looks fine from our side. Could you connect a laptop with an ethernet cable and run a speed test?",
        "I've applied a credit of {amount} to your account for the disruption.",
        "I've reset your line profile; it can take up to 15 minutes for the speed to settle.",
    ],
};

#[rustfmt::skip]
static EN_MOVING: Bank = Bank {
    subjects: &[
        "Moving house on {date}", "Transfer my service to a new address", "Change of address",
        "Moving - what happens to my contract?",
    ],
    problems: &[
        "I'm moving house on {date} and want to take my broadband with me.",
        "We're moving to {city} next month, can my service be transferred?",
        "I need to update my address, I moved last week.",
        "I'm moving in with my partner, who's already with Northwind, so I won't need my line anymore.",
        "I'd like to know if fibre is available at my new address.",
        "I've just moved in and there's no working line at the new place.",
    ],
    details: &[
        "The new address is {address}.", "We get the keys on {date}.",
        "I'm currently on {plan} and I'd like to keep the same package.",
        "My account number is {account}.", "I think the previous tenant was also with Northwind.",
    ],
    questions: &[
        "Is there a fee for moving the service?", "Will I be without internet for a while?",
        "Do I need to return the old {device}?", "Can an engineer come on a Saturday?",
    ],
    sms: &[
        "Moving to {city} on {date}, can I bring my broadband?",
        "New address: {address}. Pls update",
        "Moving next week, how long to get internet at the new place?",
        "Is fibre available at {address}?", "Just moved in, no line at all. Help",
    ],
    agent: &[
        "Good news: fibre is available at {address}, and we can switch your service over on {date}.",
        "Moving your service is free of charge; you keep the same plan and your contract end date doesn't change.",
        "I've scheduled the activation at your new address for {date}, {slot}.",
        "Could you give me the full new address, including the Eircode?",
        "Your {device} will work at the new address, so please bring it with you.",
        "I've updated the billing address on your account.",
    ],
};

#[rustfmt::skip]
static EN_UPGRADE: Bank = Bank {
    subjects: &[
        "Upgrade options", "Interested in faster broadband", "Adding channels to my TV package",
        "Phone upgrade",
    ],
    problems: &[
        "I'd like to upgrade to a faster broadband plan.",
        "My contract ends soon and I want to see what deals you have.",
        "Can I add the sports channels to my TV package?",
        "I'm due a phone upgrade and I'm interested in the {phone}.",
        "I need more mobile data, I keep running out before the end of the month.",
        "There are more of us working from home now, so we need better wifi.",
        "I saw an ad for {plan} and I'd like to know if I can switch.",
    ],
    details: &[
        "I'm currently paying {amount} a month for {plan}.",
        "There are four of us in the house and we all stream.", "My contract ends on {date}.",
        "My account number is {account}.",
        "Another provider offered me {amount} a month for something similar.",
    ],
    questions: &[
        "How much would it cost per month?", "Would that extend my contract?",
        "Can you include a mesh extender?", "Is there an offer for existing customers?",
    ],
    sms: &[
        "Can I upgrade to {plan}? How much?", "Contract ends {date}, any deals?",
        "Want the {phone}, am I due an upgrade?", "Out of data again, need a bigger plan",
        "How much to add sports channels?",
    ],
    agent: &[
        "You're eligible for an upgrade: {plan} would be {amount} a month on a 24-month contract.",
        "As an existing customer, I can offer you {plan} for {amount} a month for the first year.",
        "The {phone} is available on your plan with no upfront cost, at {amount} a month.",
        "I can add a Northwind Mesh Point for free with the upgrade, which should fix the wifi upstairs.",
        "The upgrade would start on {date}, and your new contract would run for 18 months.",
        "Would you like me to go ahead with the change today?",
    ],
};

#[rustfmt::skip]
static EN_DEVICE: Bank = Bank {
    subjects: &[
        "Problem with my {device}", "Faulty phone", "Router not working properly",
        "Replacement device request",
    ],
    problems: &[
        "My {device} keeps restarting on its own.",
        "The {phone} I got from you won't charge anymore.",
        "The remote for my TV box has stopped working.",
        "My {device} is really slow and the wifi doesn't reach upstairs.",
        "I can't set up the new {device}, the app doesn't find it.",
        "The screen on my {phone} is flickering, and it's only three months old.",
        "I need to change my wifi password but I don't know how.",
    ],
    details: &[
        "I bought it on {date}, so it's still under warranty.",
        "I've already tried a factory reset.", "The order number was {order}.",
        "It's been doing this for {days} days.",
        "The lights on the front go orange, then everything turns off.",
    ],
    questions: &[
        "Can you send me a replacement?", "Is this covered by the warranty?",
        "Do I need to bring it to a shop?", "Is there a software update for it?",
    ],
    sms: &[
        "My {device} keeps rebooting, help", "{phone} won't charge, bought it {date}",
        "TV remote dead, new batteries didn't help",
        "How do I change the wifi password on the {device}?",
        "Screen flickering on my phone, is it under warranty?",
    ],
    agent: &[
        "Sorry about that. I've arranged a replacement {device}; it will be delivered by {date}.",
        "Your device is still under warranty, so the repair is free. I'll email you a prepaid return label.",
        "Could you hold the reset button for 10 seconds, then wait for the light to turn white?",
        "There's a firmware update for the {device}; it should install automatically tonight.",
        "You can change the wifi password in the Northwind app, under Home > Wifi settings.",
        "Could you tell me the order number or the serial number on the back of the device?",
    ],
};

#[rustfmt::skip]
static EN_CANCELLATION: Bank = Bank {
    subjects: &[
        "Cancel my contract", "Cancellation request", "Ending my service", "Closing my mobile line",
    ],
    problems: &[
        "I'd like to cancel my broadband contract.",
        "I want to cancel my mobile line, I'm moving abroad.",
        "Please cancel my TV package, we don't use it anymore.",
        "I'm leaving Northwind, I found a better deal elsewhere.",
        "I want to know how much it would cost to leave before my contract ends.",
        "My mother passed away and I need to close her account.",
    ],
    details: &[
        "My contract was supposed to end on {date}.", "The account number is {account}.",
        "I've been a customer for {days} years.", "I'd like the service to stop on {date}.",
        "I'm paying {amount} a month and I can get the same for much less.",
    ],
    questions: &[
        "Is there an early termination fee?", "Do I need to send the equipment back?",
        "Can I keep my mobile number?", "Will I get a final bill?",
    ],
    sms: &[
        "Want to cancel my contract. What do I need to do?", "Pls cancel TV package from {date}",
        "How much to leave early? Acc {account}", "Cancel my line pls, moving abroad",
        "Need my number transfer code to switch network",
    ],
    agent: &[
        "Sorry to see you go. Your contract ends on {date}, so there won't be any early termination fee.",
        "Leaving now would mean an early termination charge of {amount}. Before you decide, I can offer you {plan} at a lower price.",
        "I've scheduled the cancellation for {date}. You'll receive a final bill and a prepaid bag to return the {device}.",
        "I'm very sorry for your loss. Once we have a copy of the death certificate, I can close the account without any fees.",
        "I've sent your number transfer code by text; it's valid for 30 days.",
        "Could you confirm your date of birth so I can verify the account holder?",
    ],
};

#[rustfmt::skip]
static EN_DELIVERY: Bank = Bank {
    subjects: &[
        "Where is my order {order}?", "Delivery not received", "Wrong item delivered",
        "Missed delivery",
    ],
    problems: &[
        "I ordered a new {device} and it still hasn't arrived.",
        "The tracking says my order was delivered, but I didn't receive anything.",
        "I received the wrong item in my parcel.",
        "I missed the courier and want to rearrange the delivery.",
        "My new {phone} was supposed to arrive yesterday.",
        "The box arrived damaged and the router inside is cracked.",
    ],
    details: &[
        "The order number is {order}.", "I ordered it on {date}.",
        "I've been waiting {days} days now.",
        "The courier left a card saying they'd come back {slot}.",
        "The delivery address is {address}.",
    ],
    questions: &[
        "Can you tell me where it is?", "Can it be delivered to a pickup point instead?",
        "Can you send a new one?", "Will I need to be home to sign for it?",
    ],
    sms: &[
        "Where's my order {order}? Still nothing", "Tracking says delivered but no parcel!",
        "Missed the courier, can u redeliver {slot}?", "Wrong item in my box, order {order}",
        "When will my {phone} arrive?",
    ],
    agent: &[
        "Your order {order} is with the courier and should be delivered on {date}, {slot}.",
        "I've opened an investigation with the courier; if the parcel isn't found within 48 hours, we'll send a new one.",
        "I've rebooked the delivery for {date}, {slot}.",
        "Sorry about the damaged item. A replacement has been dispatched under order {order}.",
        "I can redirect the parcel to a pickup point in {city} if that's easier for you.",
        "Could you confirm the delivery address so I can check it against the order?",
    ],
};

#[rustfmt::skip]
static EN_ROAMING: Bank = Bank {
    subjects: &[
        "Roaming charges", "No mobile data abroad", "Unexpected roaming bill",
        "Phone not working abroad",
    ],
    problems: &[
        "I'm {in_country} and my mobile data isn't working.",
        "I got a text saying I've been charged {amount} for roaming.",
        "I'm travelling {in_country} next week and want to know what it will cost.",
        "My phone has shown 'no service' since I landed.",
        "My last bill has {amount} in roaming charges, but I thought roaming was included.",
        "I can't make calls from abroad, but texts work.",
    ],
    details: &[
        "I'm on the {plan} plan.", "Data roaming is switched on in the settings.",
        "I arrived on {date}.", "My phone is the {phone}.", "I'll be away for {days} weeks.",
    ],
    questions: &[
        "Is roaming included in my plan?", "Can you add a travel pass to my line?",
        "Can you refund the charges?", "Do I need to do anything before I leave?",
    ],
    sms: &[
        "No data {in_country}, roaming is on. Help!",
        "Charged {amount} for roaming?? Thought it was included",
        "Travelling {in_country} next wk, how much for data?",
        "No service since I landed, pls help", "Can u add a travel pass to my number?",
    ],
    agent: &[
        "Your plan includes roaming in the EU at no extra cost; outside the EU, a travel pass costs {amount} per day.",
        "I've added a 7-day travel pass to your line, active from {date}.",
        "Could you restart the phone and then select the network manually in the settings?",
        "I can see the charges from {date}. As a goodwill gesture, I've refunded {amount}.",
        "Roaming was blocked on your line by default; I've just enabled it, and it can take up to an hour to work.",
        "Which country are you in at the moment, and is the problem with calls, data or both?",
    ],
};

#[rustfmt::skip]
static FR_BILLING: Bank = Bank {
    subjects: &[
        "Question sur ma dernière facture", "Prélèvement en double", "Montant de facture anormal",
        "Frais inconnus sur ma facture", "Facture du {date}",
    ],
    problems: &[
        "Ma facture de ce mois-ci est beaucoup plus élevée que d'habitude et je ne comprends pas pourquoi.",
        "J'ai été prélevé deux fois pour le même mois.",
        "Il y a une ligne sur ma facture que je ne reconnais pas.",
        "Mon prélèvement a été rejeté et on me facture maintenant des frais de retard.",
        "On m'avait promis une remise à la souscription, mais elle n'apparaît pas sur ma facture.",
        "Je crois que je paie toujours un bouquet TV que j'ai pourtant résilié.",
        "J'ai besoin de mes trois dernières factures pour ma comptabilité.",
    ],
    details: &[
        "La facture du {date} est de {amount}, alors que je paie habituellement {amount}.",
        "Mon numéro de client est le {account}.",
        "La ligne en question s'appelle « Services premium » et s'élève à {amount}.",
        "Le prélèvement a eu lieu le {date}, puis une deuxième fois deux jours après.",
        "J'ai l'offre {plan} et je n'y ai jamais rien ajouté.",
    ],
    questions: &[
        "Pouvez-vous m'expliquer à quoi correspond ce montant ?",
        "Vais-je être remboursé, et sous quel délai ?",
        "Est-il possible d'annuler les frais de retard ?",
        "Puis-je décaler la date de prélèvement à la fin du mois ?",
    ],
    sms: &[
        "Pourquoi ma facture est à {amount} ce mois-ci ?? D'habitude c'est bien moins",
        "Prélevé 2 fois pour ma box, merci de régulariser. Client {account}",
        "Frais de retard de {amount} alors que le souci vient de chez vous...",
        "C'est quoi les {amount} en plus sur ma facture ?",
        "Besoin de mes 3 dernières factures svp",
    ],
    agent: &[
        "Je vois bien la facture du {date} : l'écart vient d'un hors-forfait de {amount} pour des appels vers l'étranger.",
        "Après vérification, vous avez effectivement été prélevé deux fois. J'ai lancé un remboursement de {amount}, vous le recevrez sous 5 jours ouvrés.",
        "J'ai annulé les frais de retard : votre prochaine facture sera donc réduite de {amount}.",
        "Pouvez-vous me confirmer votre numéro de client et votre adresse pour que je puisse vérifier ?",
        "Votre remise de fidélité a pris fin le {date}. Je viens d'en appliquer une nouvelle pour 12 mois sur l'offre {plan}.",
        "Je vous ai envoyé vos trois dernières factures par e-mail.",
    ],
};

#[rustfmt::skip]
static FR_OUTAGE: Bank = Bank {
    subjects: &[
        "Plus d'internet {since}", "Panne de connexion", "Signalement d'incident",
        "Box et TV hors service",
    ],
    problems: &[
        "Je n'ai plus internet {since}.", "Ma connexion coupe toutes les cinq minutes.",
        "Le débit est catastrophique : j'ai à peine {speed} alors que je paie pour {plan}.",
        "Le décodeur affiche « pas de signal » et aucune chaîne ne fonctionne.",
        "Je n'ai plus de réseau mobile chez moi {since}.",
        "Le voyant de mon {device} clignote en rouge et plus rien ne se connecte.",
        "Je suis en télétravail et la connexion est inutilisable aujourd'hui.",
    ],
    details: &[
        "J'ai déjà redémarré la box deux fois.",
        "J'habite à {city} et mes voisins ont le même problème.",
        "Un test de débit à l'instant donne {speed}.", "C'est comme ça {since}.",
        "Tout est bien branché et j'ai essayé un autre câble.",
        "Mon numéro de client est le {account}.",
    ],
    questions: &[
        "Y a-t-il une panne connue dans mon secteur ?", "Quand est-ce que ce sera réparé ?",
        "Pouvez-vous m'envoyer un technicien ?",
        "Aurai-je un dédommagement pour les jours sans service ?",
    ],
    sms: &[
        "Plus d'internet {since}. Panne sur {city} ?",
        "Encore plus de wifi !! Box redémarrée 2 fois",
        "Test de débit : {speed}. Je paie pour {plan}, c'est pas normal",
        "La TV affiche pas de signal, il se passe quoi ?",
        "Voyant rouge sur la box, plus rien ne marche",
    ],
    agent: &[
        "Je vous confirme qu'un incident réseau touche une partie de {city} ; nos techniciens sont sur place et le service devrait être rétabli dans les prochaines heures.",
        "J'ai lancé un test de ligne à distance et votre {device} perd la synchronisation. Pouvez-vous le débrancher pendant 30 secondes ?",
        "J'ai programmé le passage d'un technicien le {date}, {slot}.",
        "Le test de ligne est bon de notre côté. Pouvez-vous brancher un ordinateur en Ethernet et refaire un test de débit ?",
        "J'ai appliqué un avoir de {amount} sur votre compte pour la gêne occasionnée.",
        "J'ai réinitialisé le profil de votre ligne ; le débit peut mettre jusqu'à 15 minutes à se stabiliser.",
    ],
};

#[rustfmt::skip]
static FR_MOVING: Bank = Bank {
    subjects: &[
        "Déménagement le {date}", "Transfert de ma ligne", "Changement d'adresse",
        "Déménagement : que devient mon contrat ?",
    ],
    problems: &[
        "Je déménage le {date} et je voudrais garder mon abonnement internet.",
        "Nous partons vivre à {city} le mois prochain : est-ce que ma ligne peut être transférée ?",
        "Je dois mettre à jour mon adresse, j'ai déménagé la semaine dernière.",
        "Je m'installe chez mon conjoint, qui est déjà client Northwind, donc je n'ai plus besoin de ma ligne.",
        "J'aimerais savoir si la fibre est disponible à ma nouvelle adresse.",
        "Je viens d'emménager et il n'y a aucune ligne active dans le logement.",
    ],
    details: &[
        "La nouvelle adresse est : {address}.", "La remise des clés est prévue le {date}.",
        "J'ai actuellement l'offre {plan} et je souhaite la conserver.",
        "Mon numéro de client est le {account}.",
        "Je crois que l'ancien locataire était aussi chez Northwind.",
    ],
    questions: &[
        "Y a-t-il des frais de déménagement ?", "Vais-je rester sans internet pendant un moment ?",
        "Dois-je vous renvoyer l'ancien {device} ?", "Un technicien peut-il passer un samedi ?",
    ],
    sms: &[
        "Je déménage à {city} le {date}, je peux garder ma box ?",
        "Nouvelle adresse : {address}. Merci de mettre à jour",
        "Déménagement la semaine pro, combien de temps pour avoir internet ?",
        "La fibre est dispo au {address} ?",
        "Je viens d'emménager, pas de ligne du tout. Aidez-moi svp",
    ],
    agent: &[
        "Bonne nouvelle : la fibre est disponible au {address}, et nous pouvons transférer votre abonnement le {date}.",
        "Le transfert est gratuit : vous gardez la même offre et la date de fin d'engagement ne change pas.",
        "J'ai programmé la mise en service à votre nouvelle adresse le {date}, {slot}.",
        "Pouvez-vous m'indiquer l'adresse complète, avec le code postal ?",
        "Votre {device} fonctionnera à la nouvelle adresse, pensez simplement à l'emporter.",
        "J'ai mis à jour l'adresse de facturation sur votre compte.",
    ],
};

#[rustfmt::skip]
static FR_UPGRADE: Bank = Bank {
    subjects: &[
        "Changement d'offre", "Passer à un débit supérieur", "Ajout d'options TV",
        "Renouvellement de mobile",
    ],
    problems: &[
        "J'aimerais passer à une offre internet plus rapide.",
        "Mon engagement se termine bientôt et je voudrais connaître vos offres.",
        "Est-il possible d'ajouter les chaînes sport à mon bouquet TV ?",
        "J'ai droit à un renouvellement de mobile et le {phone} m'intéresse.",
        "Il me faut plus de data, je suis toujours à court avant la fin du mois.",
        "Nous sommes plusieurs à télétravailler maintenant, il nous faut un meilleur wifi.",
        "J'ai vu une publicité pour l'offre {plan} et j'aimerais savoir si je peux en profiter.",
    ],
    details: &[
        "Je paie actuellement {amount} par mois pour {plan}.",
        "Nous sommes quatre à la maison et tout le monde regarde des vidéos en streaming.",
        "Mon engagement se termine le {date}.", "Mon numéro de client est le {account}.",
        "Un concurrent me propose quelque chose d'équivalent à {amount} par mois.",
    ],
    questions: &[
        "Combien cela me coûterait-il par mois ?", "Est-ce que cela relance mon engagement ?",
        "Pouvez-vous inclure un répéteur wifi ?",
        "Avez-vous une offre pour les clients existants ?",
    ],
    sms: &[
        "Je peux passer à {plan} ? C'est combien ?",
        "Fin d'engagement le {date}, vous avez des promos ?",
        "Je voudrais le {phone}, j'ai droit au renouvellement ?",
        "Encore à court de data, il me faut un plus gros forfait",
        "Combien pour ajouter les chaînes sport ?",
    ],
    agent: &[
        "Vous êtes éligible à un changement d'offre : {plan} vous reviendrait à {amount} par mois, avec un engagement de 24 mois.",
        "En tant que client, je peux vous proposer {plan} à {amount} par mois la première année.",
        "Le {phone} est disponible sans frais initiaux avec votre forfait, pour {amount} par mois.",
        "Je peux vous ajouter gratuitement un répéteur Northwind Mesh, ce qui devrait régler le wifi à l'étage.",
        "Le changement prendrait effet le {date}, avec un nouvel engagement de 18 mois.",
        "Souhaitez-vous que je procède au changement dès aujourd'hui ?",
    ],
};

#[rustfmt::skip]
static FR_DEVICE: Bank = Bank {
    subjects: &[
        "Problème avec mon {device}", "Téléphone défectueux",
        "Box qui ne fonctionne pas correctement", "Demande d'échange de matériel",
    ],
    problems: &[
        "Mon {device} redémarre tout seul sans arrêt.",
        "Le {phone} que j'ai acheté chez vous ne charge plus.",
        "La télécommande du décodeur ne fonctionne plus.",
        "Mon {device} est très lent et le wifi ne va pas jusqu'à l'étage.",
        "Je n'arrive pas à installer mon nouveau {device}, l'application ne le détecte pas.",
        "L'écran de mon {phone} scintille, alors qu'il n'a que trois mois.",
        "Je voudrais changer le mot de passe wifi mais je ne sais pas comment faire.",
    ],
    details: &[
        "Je l'ai acheté le {date}, il est donc encore sous garantie.",
        "J'ai déjà fait une réinitialisation complète.", "Le numéro de commande était {order}.",
        "Ça dure depuis {days} jours.", "Les voyants passent à l'orange, puis tout s'éteint.",
    ],
    questions: &[
        "Pouvez-vous m'en envoyer un autre ?", "Est-ce pris en charge par la garantie ?",
        "Dois-je le déposer en boutique ?", "Existe-t-il une mise à jour pour cet appareil ?",
    ],
    sms: &[
        "Mon {device} redémarre en boucle, je fais quoi ?",
        "Mon {phone} ne charge plus, acheté le {date}",
        "Télécommande HS, même avec des piles neuves",
        "Comment on change le mdp wifi sur le {device} ?",
        "Écran qui scintille sur mon tel, c'est sous garantie ?",
    ],
    agent: &[
        "Je suis désolé pour ce désagrément. Je vous envoie un {device} de remplacement, livré d'ici le {date}.",
        "Votre appareil est encore sous garantie, la réparation est donc gratuite. Je vous envoie une étiquette de retour prépayée par e-mail.",
        "Pouvez-vous maintenir le bouton reset enfoncé pendant 10 secondes, puis attendre que le voyant devienne blanc ?",
        "Une mise à jour est disponible pour le {device} ; elle s'installera automatiquement cette nuit.",
        "Vous pouvez changer le mot de passe wifi dans l'application Northwind, rubrique Maison > Paramètres wifi.",
        "Pouvez-vous m'indiquer le numéro de commande ou le numéro de série inscrit au dos de l'appareil ?",
    ],
};

#[rustfmt::skip]
static FR_CANCELLATION: Bank = Bank {
    subjects: &[
        "Résiliation de mon contrat", "Demande de résiliation", "Fin de mon abonnement",
        "Résiliation de ma ligne mobile",
    ],
    problems: &[
        "Je souhaite résilier mon abonnement internet.",
        "Je voudrais résilier ma ligne mobile, je pars vivre à l'étranger.",
        "Merci de résilier mon bouquet TV, nous ne le regardons plus.",
        "Je quitte Northwind, j'ai trouvé une offre plus intéressante ailleurs.",
        "J'aimerais savoir combien me coûterait une résiliation avant la fin de mon engagement.",
        "Ma mère est décédée et je dois clôturer son compte.",
    ],
    details: &[
        "Mon engagement devait se terminer le {date}.", "Le numéro de client est le {account}.",
        "Je suis client depuis {days} ans.", "Je voudrais que le service s'arrête le {date}.",
        "Je paie {amount} par mois alors que je peux avoir la même chose pour bien moins cher.",
    ],
    questions: &[
        "Y a-t-il des frais de résiliation anticipée ?", "Dois-je renvoyer le matériel ?",
        "Puis-je garder mon numéro de mobile ?", "Vais-je recevoir une dernière facture ?",
    ],
    sms: &[
        "Je veux résilier mon contrat, je fais comment ?",
        "Merci de résilier le bouquet TV à partir du {date}",
        "Combien pour résilier avant la fin ? Client {account}",
        "Résiliez ma ligne svp, je pars à l'étranger",
        "Besoin de mon code RIO pour changer d'opérateur",
    ],
    agent: &[
        "Je regrette de vous voir partir. Votre engagement se termine le {date}, vous n'aurez donc pas de frais de résiliation.",
        "Une résiliation maintenant entraînerait des frais de {amount}. Avant de décider, je peux vous proposer l'offre {plan} à un tarif plus avantageux.",
        "J'ai programmé la résiliation au {date}. Vous recevrez une dernière facture ainsi qu'un sac prépayé pour renvoyer votre {device}.",
        "Toutes mes condoléances. Il me faudra une copie de l'acte de décès, puis je pourrai clôturer le compte sans frais.",
        "Votre code RIO vous a été envoyé par SMS ; il suffit de le communiquer à votre nouvel opérateur.",
        "Pouvez-vous me confirmer votre date de naissance afin que je vérifie l'identité du titulaire ?",
    ],
};

#[rustfmt::skip]
static FR_DELIVERY: Bank = Bank {
    subjects: &[
        "Où en est ma commande {order} ?", "Colis non reçu", "Mauvais article livré",
        "Livraison manquée",
    ],
    problems: &[
        "J'ai commandé un nouveau {device} et je ne l'ai toujours pas reçu.",
        "Le suivi indique que ma commande a été livrée, mais je n'ai rien reçu.",
        "J'ai reçu le mauvais article dans mon colis.",
        "J'ai raté le passage du livreur et je voudrais reprogrammer la livraison.",
        "Mon nouveau {phone} devait arriver hier.",
        "Le colis est arrivé abîmé et la box à l'intérieur est fissurée.",
    ],
    details: &[
        "Le numéro de commande est {order}.", "J'ai passé commande le {date}.",
        "Cela fait {days} jours que j'attends.",
        "Le livreur a laissé un avis de passage et doit repasser {slot}.",
        "L'adresse de livraison est : {address}.",
    ],
    questions: &[
        "Pouvez-vous me dire où il se trouve ?",
        "Est-il possible de le faire livrer en point relais ?", "Pouvez-vous m'en renvoyer un ?",
        "Faut-il que je sois présent pour signer ?",
    ],
    sms: &[
        "Elle est où ma commande {order} ? Toujours rien", "Le suivi dit livré mais pas de colis !",
        "Raté le livreur, vous pouvez relivrer {slot} ?",
        "Mauvais article dans mon colis, commande {order}", "Quand est-ce que mon {phone} arrive ?",
    ],
    agent: &[
        "Votre commande {order} est chez le transporteur et devrait être livrée le {date}, {slot}.",
        "J'ai ouvert une enquête auprès du transporteur ; si le colis n'est pas retrouvé sous 48 heures, nous vous en enverrons un nouveau.",
        "J'ai reprogrammé la livraison pour le {date}, {slot}.",
        "Désolé pour l'article endommagé. Un remplacement vient d'être expédié sous la commande {order}.",
        "Je peux faire livrer le colis dans un point relais à {city}, si c'est plus simple pour vous.",
        "Pouvez-vous me confirmer l'adresse de livraison afin que je la compare à la commande ?",
    ],
};

#[rustfmt::skip]
static FR_ROAMING: Bank = Bank {
    subjects: &[
        "Frais d'itinérance", "Pas de data à l'étranger", "Voyage à l'étranger : quels tarifs ?",
        "Facture de roaming inattendue",
    ],
    problems: &[
        "Je suis {in_country} et mes données mobiles ne fonctionnent pas.",
        "J'ai reçu un SMS m'indiquant {amount} de frais d'itinérance.",
        "Je pars {in_country} la semaine prochaine et je voudrais savoir combien cela va me coûter.",
        "Mon téléphone affiche « aucun service » depuis mon arrivée.",
        "Ma dernière facture comporte {amount} de frais de roaming, alors que je pensais que c'était inclus.",
        "Je ne peux pas appeler depuis l'étranger, mais les SMS passent.",
    ],
    details: &[
        "J'ai le forfait {plan}.", "Les données à l'étranger sont bien activées dans les réglages.",
        "Je suis arrivé le {date}.", "Mon téléphone est un {phone}.",
        "Je pars pour {days} semaines.",
    ],
    questions: &[
        "Le roaming est-il inclus dans mon forfait ?",
        "Pouvez-vous ajouter un pass voyage sur ma ligne ?",
        "Pouvez-vous me rembourser ces frais ?", "Dois-je faire quelque chose avant de partir ?",
    ],
    sms: &[
        "Pas de data {in_country}, l'itinérance est activée. Aidez-moi !",
        "Facturé {amount} de roaming ?? Je croyais que c'était inclus",
        "Je pars {in_country} la semaine pro, combien pour la data ?",
        "Aucun réseau depuis que j'ai atterri, aidez-moi svp",
        "Vous pouvez ajouter un pass voyage sur ma ligne ?",
    ],
    agent: &[
        "Votre forfait inclut l'itinérance dans l'UE sans surcoût ; hors UE, un pass voyage coûte {amount} par jour.",
        "J'ai ajouté un pass voyage de 7 jours sur votre ligne, actif à partir du {date}.",
        "Pouvez-vous redémarrer le téléphone, puis sélectionner le réseau manuellement dans les réglages ?",
        "Je vois les frais depuis le {date}. À titre de geste commercial, je vous ai remboursé {amount}.",
        "L'itinérance était bloquée par défaut sur votre ligne ; je viens de l'activer, cela peut prendre jusqu'à une heure.",
        "Dans quel pays êtes-vous actuellement, et le problème concerne-t-il les appels, les données ou les deux ?",
    ],
};

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::SmallRng;
    use std::collections::HashSet;

    const LANGS: [Lang; 2] = [Lang::En, Lang::Fr];
    const STYLES: [Style; 4] = [Style::Chat, Style::Sms, Style::Email, Style::Social];

    fn check_text(text: &str) {
        assert!(!text.trim().is_empty(), "empty text");
        assert!(!text.contains('{') && !text.contains('}'), "unfilled placeholder: {text}");
    }

    #[test]
    fn every_topic_lang_style_gives_text() {
        let mut rng = SmallRng::seed_from_u64(7);
        for topic in Topic::ALL {
            for lang in LANGS {
                for style in STYLES {
                    for _ in 0..25 {
                        let (subject, body) = opening(&mut rng, lang, style, topic, "Alex");
                        check_text(&body);
                        assert_eq!(subject.is_some(), style == Style::Email);
                        if let Some(subject) = subject {
                            check_text(&subject);
                            assert!(body.contains("Alex"), "email without name: {body}");
                        }
                        if style == Style::Sms {
                            assert!(body.chars().count() <= 200, "SMS too long: {body}");
                        }
                        check_text(&follow_up(&mut rng, lang, style, topic));
                        check_text(&farewell(&mut rng, lang, style));
                        let reply = agent_reply(&mut rng, lang, topic, "Alex", true);
                        check_text(&reply);
                        assert!(reply.contains("Alex"), "first reply without name: {reply}");
                        check_text(&agent_reply(&mut rng, lang, topic, "Alex", false));
                    }
                }
            }
        }
    }

    #[test]
    fn sms_follow_ups_stay_short() {
        let mut rng = SmallRng::seed_from_u64(11);
        for topic in Topic::ALL {
            for lang in LANGS {
                for _ in 0..50 {
                    let text = follow_up(&mut rng, lang, Style::Sms, topic);
                    assert!(text.chars().count() <= 200, "SMS too long: {text}");
                }
            }
        }
    }

    #[test]
    fn openings_are_varied() {
        let mut rng = SmallRng::seed_from_u64(42);
        let mut bodies = HashSet::new();
        for i in 0..200 {
            let topic = Topic::ALL[rng.random_range(0..Topic::ALL.len())];
            let lang = LANGS[i % LANGS.len()];
            let style = STYLES[rng.random_range(0..STYLES.len())];
            let (first, _) = customer_name(&mut rng, lang);
            let (_, body) = opening(&mut rng, lang, style, topic, first);
            bodies.insert(body);
        }
        assert!(bodies.len() >= 100, "only {} distinct bodies", bodies.len());
    }

    #[test]
    fn french_has_no_obvious_english() {
        const ENGLISH: [&str; 6] = [" the ", " and ", " my ", " your ", " please ", " with "];
        let mut rng = SmallRng::seed_from_u64(3);
        for _ in 0..40 {
            for topic in Topic::ALL {
                for style in STYLES {
                    let (subject, body) = opening(&mut rng, Lang::Fr, style, topic, "Léa");
                    let texts = [
                        subject.unwrap_or_default(),
                        body,
                        follow_up(&mut rng, Lang::Fr, style, topic),
                        farewell(&mut rng, Lang::Fr, style),
                        agent_reply(&mut rng, Lang::Fr, topic, "Léa", true),
                    ];
                    for text in texts {
                        let padded = format!(" {} ", text.to_lowercase());
                        for word in ENGLISH {
                            assert!(!padded.contains(word), "English {word:?} in: {text}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn topic_keys_are_unique() {
        let keys: HashSet<&str> = Topic::ALL.into_iter().map(Topic::key).collect();
        assert_eq!(keys.len(), Topic::ALL.len());
    }

    #[test]
    fn names_come_from_the_right_language() {
        let mut rng = SmallRng::seed_from_u64(5);
        for lang in LANGS {
            let (first, last) = customer_name(&mut rng, lang);
            assert!(!first.is_empty() && !last.is_empty());
        }
    }
}
