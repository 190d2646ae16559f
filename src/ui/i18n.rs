//! Every string the workstation shows, in English and French. A string that
//! is not in `Text` cannot be shown, so nothing is left untranslated.

use crate::domain::{Channel, ThreadStatus};

/// The UI language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UiLanguage {
    /// English.
    #[default]
    English,
    /// French.
    French,
}

impl UiLanguage {
    /// The other language.
    #[must_use]
    pub fn other(self) -> Self {
        match self {
            UiLanguage::English => UiLanguage::French,
            UiLanguage::French => UiLanguage::English,
        }
    }
}

macro_rules! texts {
    ($($name:ident => $en:literal, $fr:literal;)*) => {
        /// A UI string.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[allow(missing_docs)]
        pub enum Text { $($name),* }

        /// The string in `language`.
        #[must_use]
        pub fn tr(language: UiLanguage, text: Text) -> &'static str {
            match (language, text) {
                $((UiLanguage::English, Text::$name) => $en,
                  (UiLanguage::French, Text::$name) => $fr,)*
            }
        }

        #[cfg(test)]
        pub(crate) const ALL_TEXTS: &[Text] = &[$(Text::$name),*];
    };
}

texts! {
    Inbox => "Inbox", "Boîte de réception";
    Routing => "Routing", "Routage";
    Phone => "Phone", "Téléphone";
    Queues => "Queues", "Files d'attente";
    Activity => "Activity", "Activité";
    Monitoring => "Monitoring", "Supervision";
    Admin => "Admin", "Administration";
    Ready => "Ready", "Disponible";
    Paused => "Paused", "En pause";
    LoggedOut => "Logged out", "Déconnecté";
    Status => "Status:", "Statut :";
    PauseWith => "Pause with a reason", "Mettre en pause pour";
    Embedded => "Embedded engine", "Moteur intégré";
    Server => "Server", "Serveur";
    Reconnecting => "Reconnecting…", "Reconnexion…";
    Notifications => "Notifications", "Notifications";
    NoNotifications => "Nothing new.", "Rien de nouveau.";
    ClearNotifications => "Clear", "Effacer";
    DarkTheme => "Dark theme", "Thème sombre";
    LightTheme => "Light theme", "Thème clair";
    SwitchLanguage => "Français", "English";
    SwitchLanguageHint => "Passer l'interface en français", "Switch the interface to English";
    SignedInAs => "Signed in as", "Connecté en tant que";
    SwitchUser => "Switch demo user", "Changer d'utilisateur (démo)";
    DemoRunning => "Demo traffic is running", "Le trafic de démonstration tourne";
    DemoPaused => "Demo traffic is paused", "Le trafic de démonstration est en pause";
    PauseDemo => "Pause demo traffic", "Mettre la démo en pause";
    ResumeDemo => "Resume demo traffic", "Reprendre la démo";
    NewOffer => "New", "Nouveau";
    From => "from", "de";
    Accept => "Accept", "Accepter";
    Decline => "Decline", "Refuser";
    SecondsLeft => "s left", "s restantes";
    WhyMe => "Why me", "Pourquoi moi";
    CommandPalette => "Command palette", "Palette de commandes";
    TypeACommand => "Type a command…", "Tapez une commande…";
    NoMatchingCommand => "No matching command.", "Aucune commande ne correspond.";
    ComingLater => "Coming in a later release", "Prévu dans une prochaine version";
    PhoneNotConnected => "The phone is not connected", "Le téléphone n'est pas connecté";
    PhoneDirect => "Direct calls on", "Appels directs sur";
    PhoneRegistered => "Registered as", "Enregistré comme";
    PhoneRegistering => "Registering…", "Enregistrement…";
    PhoneRegistrationFailed => "Registration failed:", "Échec de l'enregistrement :";
    PhoneAccount => "Phone account", "Compte téléphonique";
    SipServer => "SIP server", "Serveur SIP";
    SipServerHint => "host[:port], blank for direct calls", "hôte[:port], vide : appels directs";
    SipUser => "User", "Utilisateur";
    SipPassword => "Password", "Mot de passe";
    PasswordInMemory => "The account is saved on this computer when the phone connects; the password is stored encrypted, never in plain text.", "Le compte est enregistré sur cet ordinateur à la connexion ; le mot de passe est stocké chiffré, jamais en clair.";
    UseTcp => "Use TCP", "Utiliser TCP";
    LocalPort => "Local SIP port", "Port SIP local";
    ConnectPhone => "Connect the phone", "Connecter le téléphone";
    DisconnectPhone => "Disconnect the phone", "Déconnecter le téléphone";
    NumberToCall => "Number or SIP address", "Numéro ou adresse SIP";
    CallButton => "Call", "Appeler";
    IncomingCall => "Incoming call from", "Appel entrant de";
    Answer => "Answer", "Répondre";
    HangUp => "Hang up", "Raccrocher";
    Hold => "Hold", "Attente";
    ResumeCall => "Resume", "Reprendre";
    Mute => "Mute", "Couper le micro";
    Unmute => "Unmute", "Rétablir le micro";
    Keypad => "Keypad", "Clavier";
    TransferTo => "Transfer to", "Transférer à";
    Transfer => "Transfer", "Transférer";
    CallDialling => "Calling…", "Appel en cours…";
    CallRinging => "Ringing", "Ça sonne";
    CallIncoming => "Ringing here", "Sonne ici";
    CallConnected => "Connected", "En communication";
    CallOnHold => "On hold", "En attente";
    HeldByOther => "The other party put you on hold", "Votre correspondant vous a mis en attente";
    CallHistory => "Call history", "Historique des appels";
    NoCallsYet => "No calls yet.", "Aucun appel pour l'instant.";
    NoActiveCall => "No call in progress. Dial a number, or wait for a call.", "Aucun appel en cours. Composez un numéro ou attendez un appel.";
    CallNotes => "Notes on this call", "Notes sur cet appel";
    CallQuality => "Quality", "Qualité";
    NoSound => "This call has no sound:", "Cet appel n'a pas de son :";
    EndAnswered => "Answered", "Répondu";
    EndNoAnswer => "No answer", "Pas de réponse";
    EndMissed => "Missed", "Manqué";
    EndBusy => "Busy", "Occupé";
    EndTransferred => "Transferred", "Transféré";
    EndFailed => "Failed", "Échec";
    CallBack => "Call back", "Rappeler";
    AudioSettings => "Audio", "Audio";
    SpeedDial => "Speed dial", "Numéros abrégés";
    Today => "Today", "Aujourd'hui";
    CompareWith => "Compare with", "Comparer avec";
    QueueCallsTaken => "Queue calls taken", "Appels de file reçus";
    DirectCallsTaken => "Non-queue calls taken", "Appels hors file reçus";
    DirectCallsMade => "Non-queue calls made", "Appels hors file passés";
    TalkTime => "Talk time", "Temps de conversation";
    Week => "Week", "Semaine";
    WeekOf => "Week of", "Semaine du";
    PreviousWeek => "Previous week", "Semaine précédente";
    NextWeek => "Next week", "Semaine suivante";
    ExportCsv => "Export CSV", "Exporter en CSV";
    Exported => "Exported to", "Exporté dans";
    InteractionsHandled => "Conversations handled", "Conversations traitées";
    AverageHandleTime => "Average handle time", "Durée moyenne de traitement";
    AverageFirstResponse => "Average first response", "Délai moyen de première réponse";
    PreviousDay => "Previous day", "Jour précédent";
    NextDay => "Next day", "Jour suivant";
    EndWrapUp => "End wrap-up", "Terminer le post-appel";
    InWrapUp => "Wrap-up", "Post-appel";
    UntilEnded => "until you end it", "jusqu'à ce que vous y mettiez fin";
    AudioClips => "Audio clips", "Messages audio";
    ClipName => "Clip name", "Nom du message";
    ClipTags => "Tags", "Étiquettes";
    RecordClip => "Record", "Enregistrer";
    StopRecording => "Stop recording", "Arrêter l'enregistrement";
    ShowArchived => "Show archived", "Afficher les archivés";
    PlayClip => "Play", "Diffuser";
    PlayClipAndHangUp => "Play, hang up", "Diffuser, raccrocher";
    Rerecord => "Re-record", "Réenregistrer";
    Archive => "Archive", "Archiver";
    Unarchive => "Unarchive", "Désarchiver";
    DeleteClip => "Delete", "Supprimer";
    NoClips => "No clips yet: name one and record it.", "Aucun message : nommez-en un et enregistrez-le.";
    Disposition => "Disposition", "Qualification";
    Contact => "Contact", "Contact";
    NoContact => "Not linked", "Non lié";
    NoDisposition => "None", "Aucune";
    Tags => "Tags, separated by commas", "Étiquettes, séparées par des virgules";
    SpeedDialName => "Name", "Nom";
    SpeedDialNumber => "Number", "Numéro";
    AddSpeedDial => "Add", "Ajouter";
    RemoveSpeedDial => "Remove", "Retirer";
    Microphone => "Microphone", "Microphone";
    Speaker => "Speaker", "Haut-parleur";
    SystemDefault => "System default", "Par défaut du système";
    FindDevices => "Find devices", "Rechercher les appareils";
    InputLevel => "Microphone level", "Niveau du micro";
    DevicesNextCall => "Devices apply from the next call; volumes at once.", "Les appareils s'appliquent à l'appel suivant ; les volumes tout de suite.";
    RoutingLater => "The routing desk — In progress, Deferred and History folders, transfer, defer and dispositions — arrives in a later release. Offers already reach you through the banner above, and accepted conversations appear in the Inbox.", "Le bureau de routage — dossiers En cours, Reportées et Historique, transfert, report et qualification — arrive dans une prochaine version. Les offres vous parviennent déjà par le bandeau ci-dessus, et les conversations acceptées apparaissent dans la boîte de réception.";
    QueuesLater => "Live queue and campaign cards arrive in a later release, computed by the routing core. No figures are shown until they are real.", "Les cartes temps réel des files et campagnes arrivent dans une prochaine version, calculées par le moteur de routage. Aucun chiffre n'est affiché tant qu'il n'est pas réel.";
    ActivityLater => "Your daily and weekly activity charts arrive in a later release.", "Vos graphiques d'activité du jour et de la semaine arrivent dans une prochaine version.";
    MonitoringLater => "Agent and queue monitoring, agent management and the wallboard arrive in a later release.", "La supervision des agents et des files, leur gestion et le mur d'affichage arrivent dans une prochaine version.";
    AdminLater => "Users, teams, channels, routing rules and settings will be managed here in a later release.", "Les utilisateurs, équipes, canaux, règles de routage et paramètres se géreront ici dans une prochaine version.";
    Conversations => "Conversations", "Conversations";
    All => "All", "Toutes";
    Mine => "Mine", "Les miennes";
    NoConversations => "No conversations yet.", "Aucune conversation pour l'instant.";
    SelectConversation => "Select a conversation to read it.", "Sélectionnez une conversation pour la lire.";
    ReplyPlaceholder => "Write a reply… (Ctrl+Enter sends)", "Écrivez une réponse… (Ctrl+Entrée pour envoyer)";
    Reply => "Reply", "Réponse";
    Send => "Send", "Envoyer";
    Complete => "Complete", "Terminer";
    CustomerClosed => "The customer closed the conversation.", "Le client a fermé la conversation.";
    NotYours => "Only the agent holding this conversation can reply.", "Seul l'agent qui traite cette conversation peut répondre.";
    Customer => "Customer", "Client";
    System => "System", "Système";
    Loading => "Loading…", "Chargement…";
    Waiting => "Waiting", "En attente";
    Offered => "Offered", "Proposée";
    Assigned => "In progress", "En cours";
    Deferred => "Deferred", "Reportée";
    Completed => "Completed", "Terminée";
    Abandoned => "Abandoned", "Abandonnée";
    Voice => "Call", "Appel";
    WebChat => "Chat", "Chat";
    Sms => "SMS", "SMS";
    Email => "Email", "E-mail";
    Facebook => "Facebook", "Facebook";
    Instagram => "Instagram", "Instagram";
    OfferExpired => "An offer expired and went back to its queue.", "Une offre a expiré et est retournée dans sa file.";
    InactivePrompt => "Quiet for a while — defer, transfer or complete:", "Sans activité depuis un moment — reporter, transférer ou clôturer :";
    DeferReturned => "Back from Deferred:", "De retour des reportées :";
    PausedForMissedOffers => "You were paused after three missed offers. Set yourself Ready when you are back.", "Vous avez été mis en pause après trois offres manquées. Repassez Disponible à votre retour.";
    NoAudio => "No audio device: offer alerts are silent.", "Aucun périphérique audio : les alertes d'offre sont silencieuses.";
    OpenPalette => "Open the command palette", "Ouvrir la palette de commandes";
    ToggleTheme => "Switch between dark and light", "Basculer entre sombre et clair";
    ToggleLanguage => "Switch language", "Changer de langue";
    GoTo => "Go to", "Aller à";
    SetReady => "Set status: Ready", "Statut : Disponible";
    SetLoggedOut => "Set status: Logged out", "Statut : Déconnecté";
    SetPaused => "Set status: Paused", "Statut : En pause";
    AcceptOffer => "Accept the offer", "Accepter l'offre";
    DeclineOffer => "Decline the offer", "Refuser l'offre";
    ShowNotifications => "Show notifications", "Afficher les notifications";
    ToggleDemo => "Pause or resume demo traffic", "Mettre en pause ou reprendre la démo";
    Shortcut => "Shortcut", "Raccourci";
    Agent => "Agent", "Agent";
    Supervisor => "Supervisor", "Superviseur";
    Administrator => "Administrator", "Administrateur";
}

/// The name of a channel.
#[must_use]
pub fn channel_text(channel: Channel) -> Text {
    match channel {
        Channel::Voice => Text::Voice,
        Channel::WebChat => Text::WebChat,
        Channel::Sms => Text::Sms,
        Channel::Email => Text::Email,
        Channel::Facebook => Text::Facebook,
        Channel::Instagram => Text::Instagram,
    }
}

/// The name of a thread status.
#[must_use]
pub fn status_text(status: ThreadStatus) -> Text {
    match status {
        ThreadStatus::Waiting => Text::Waiting,
        ThreadStatus::Offered => Text::Offered,
        ThreadStatus::Assigned => Text::Assigned,
        ThreadStatus::Deferred => Text::Deferred,
        ThreadStatus::Completed => Text::Completed,
        ThreadStatus::Abandoned => Text::Abandoned,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_has_both_languages_and_french_differs_where_it_should() {
        for &text in ALL_TEXTS {
            assert!(!tr(UiLanguage::English, text).is_empty());
            assert!(!tr(UiLanguage::French, text).is_empty());
        }
        assert_ne!(tr(UiLanguage::English, Text::Inbox), tr(UiLanguage::French, Text::Inbox));
    }
}
