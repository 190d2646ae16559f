//! The demo workspace created on first run: a fictional telecom's contact
//! centre with four teams, six queues, a campaign and three people to sign in as.

use crate::domain::{Language, QueueKind, Role};
use crate::store::{Seed, SeedArticle, SeedCanned, SeedQueue, SeedUser};

const EN: &[Language] = &[Language::En];
const FR: &[Language] = &[Language::Fr];
const BOTH: &[Language] = &[Language::En, Language::Fr];

/// Simulated colleagues: name, team position, languages.
const COLLEAGUES: &[(&str, usize, &[Language])] = &[
    ("Priya Natarajan", 0, EN),
    ("Tom Becker", 0, EN),
    ("Grace Okafor", 0, BOTH),
    ("Liam O'Brien", 0, EN),
    ("Mei Lin", 1, EN),
    ("Jonas Weber", 1, EN),
    ("Fatima Zahra", 1, BOTH),
    ("Daniel Kim", 1, EN),
    ("Hannah Scott", 1, EN),
    ("Carlos Mendes", 2, EN),
    ("Olivia Brown", 2, EN),
    ("Noah Davies", 2, BOTH),
    ("Camille Dubois", 3, FR),
    ("Julien Moreau", 3, BOTH),
    ("Chloé Lefèvre", 3, FR),
    ("Mathieu Girard", 3, BOTH),
    ("Inès Benali", 3, FR),
    ("Hugo Lambert", 3, BOTH),
];

/// The three people a demo user can sign in as: login, name, role.
pub const DEMO_USERS: &[(&str, &str, Role)] = &[
    ("agent", "Alex Morgan", Role::Agent),
    ("supervisor", "Samira Haddad", Role::Supervisor),
    ("admin", "Robin Leclerc", Role::Admin),
];

fn text(value: &str) -> String {
    value.to_owned()
}

/// The demo workspace.
#[must_use]
pub fn demo_workspace() -> Seed {
    let teams = ["Billing & Accounts", "Technical Support", "Sales & Retention", "Service Francophone"];
    let mut users: Vec<SeedUser> = DEMO_USERS
        .iter()
        .map(|(login, name, role)| SeedUser {
            name: text(name),
            login: text(login),
            role: *role,
            team: (*role != Role::Admin).then_some(0),
            languages: BOTH.to_vec(),
            simulated: false,
            ready: *role == Role::Agent,
            routing: None,
        })
        .collect();
    for (name, team, languages) in COLLEAGUES {
        let login = name.to_lowercase().replace([' ', '\''], ".").replace(['é', 'è'], "e");
        users.push(SeedUser {
            name: text(name),
            login,
            role: Role::Agent,
            team: Some(*team),
            languages: languages.to_vec(),
            simulated: true,
            ready: true,
            routing: None,
        });
    }
    let team_members = |teams: &[usize]| -> Vec<usize> {
        users
            .iter()
            .enumerate()
            .filter(|(_, u)| u.team.is_some_and(|t| teams.contains(&t)) && (u.simulated || u.role == Role::Agent))
            .map(|(i, _)| i)
            .collect()
    };
    let human_agents = [0usize, 1];
    let with_humans = |mut members: Vec<usize>| {
        for h in human_agents {
            if !members.contains(&h) {
                members.push(h);
            }
        }
        members
    };
    let queue = |name: &str, kind, language, limit, sla_secs, members| SeedQueue {
        name: text(name),
        kind,
        language,
        acceptance_limit_secs: limit,
        sla_percent: 80,
        sla_secs,
        members,
        routing: Some(text(match kind {
            // Calls get a short wrap-up for notes; chats prompt after five quiet minutes.
            QueueKind::Voice => r#"{"wrap_up":{"Timed":{"secs":10}},"short_abandon_secs":5}"#,
            QueueKind::Messaging => r#"{"inactivity_secs":300}"#,
            QueueKind::Email => r#"{"strategy":"FewestOpen"}"#,
        })),
    };
    let queues = vec![
        queue("Support line", QueueKind::Voice, None, 20, 20, team_members(&[0, 1])),
        queue("Sales line", QueueKind::Voice, None, 20, 30, team_members(&[2])),
        queue("Chat — English", QueueKind::Messaging, Some(Language::En), 30, 60, with_humans(team_members(&[0, 1]))),
        queue("Chat — Français", QueueKind::Messaging, Some(Language::Fr), 30, 60, with_humans(team_members(&[3]))),
        queue("Social & SMS", QueueKind::Messaging, None, 30, 300, with_humans(team_members(&[1, 2, 3]))),
        queue("Email", QueueKind::Email, None, 45, 4 * 3600, with_humans(team_members(&[0, 2, 3]))),
    ];
    let categories = [
        ("billing", "Billing"),
        ("outage", "Outage"),
        ("moving", "Moving home"),
        ("upgrade", "Upgrade"),
        ("device", "Device"),
        ("cancellation", "Cancellation"),
        ("delivery", "Delivery"),
        ("roaming", "Roaming"),
    ];
    let canned = |owner, name: &str, shortcut: &str, language, body: &str| SeedCanned {
        owner,
        name: text(name),
        shortcut: text(shortcut),
        language,
        body: text(body),
    };
    let article = |group: &str, title: &str, language, body: &str| SeedArticle {
        group: text(group),
        title: text(title),
        body: text(body),
        language,
    };
    Seed {
        teams: teams.iter().map(|t| text(t)).collect(),
        campaigns: vec![(text("Missed calls follow-up"), team_members(&[2]))],
        queues,
        users,
        categories: categories.iter().map(|(k, n)| (text(k), text(n))).collect(),
        pause_reasons: ["Break", "Lunch", "Meeting", "Training", "Coaching"].iter().map(|r| text(r)).collect(),
        business_hours: (1..=5)
            .map(|d| (d, text("08:00"), text("20:00")))
            .chain([(6, text("09:00"), text("17:00"))])
            .collect(),
        canned: vec![
            canned(
                None,
                "Greeting",
                "/greet",
                Language::En,
                "Hello, thank you for contacting Northwind Telecom. How can I help you today?",
            ),
            canned(
                None,
                "Salutation",
                "/bonjour",
                Language::Fr,
                "Bonjour et merci d'avoir contacté Northwind Telecom. Comment puis-je vous aider ?",
            ),
            canned(
                None,
                "Please hold",
                "/hold",
                Language::En,
                "Thank you for your patience — I'm checking this for you now.",
            ),
            canned(
                None,
                "Patientez",
                "/patience",
                Language::Fr,
                "Merci de votre patience, je vérifie cela tout de suite.",
            ),
            canned(None, "Closing", "/close", Language::En, "Is there anything else I can help you with today?"),
            canned(
                Some(0),
                "My sign-off",
                "/bye",
                Language::En,
                "Thanks for chatting with me today — have a great day! Alex",
            ),
        ],
        knowledge: vec![
            article(
                "Billing",
                "Reading your bill",
                Language::En,
                "Your bill shows the monthly plan, usage beyond the plan, and one-off charges. Pro-rata charges appear when a plan changes mid-cycle.",
            ),
            article(
                "Billing",
                "Comprendre votre facture",
                Language::Fr,
                "La facture détaille l'abonnement mensuel, les consommations hors forfait et les frais ponctuels. Un changement d'offre en cours de mois donne lieu à un prorata.",
            ),
            article(
                "Outages",
                "Checking a local outage",
                Language::En,
                "Look up the postcode on the network status page. If an outage is listed, give the estimated repair time and offer an SMS when service is restored.",
            ),
            article(
                "Devices",
                "Restarting the Northwind Hub",
                Language::En,
                "Unplug the hub for 30 seconds, plug it back in and wait until the light is steady white (about 3 minutes).",
            ),
            article(
                "Moving",
                "Transfert de ligne lors d'un déménagement",
                Language::Fr,
                "Le transfert se demande au moins 14 jours avant la date du déménagement. Le client garde son numéro si le nouveau logement est dans la même zone.",
            ),
            article(
                "Roaming",
                "Roaming zones and prices",
                Language::En,
                "Zone 1 (EU) uses the home allowance. Zone 2 costs €5 per day for 1 GB. Outside zones 1–2, data is €10 per 100 MB unless a pass is added.",
            ),
        ],
        demo: true,
    }
}
