//! Text pools for the seeded sample reviews: several languages and scripts (RTL included),
//! emoji, combining marks, and a handful of hostile reviews carrying terminal escapes.

/// Index into the per-sentiment arrays.
pub const NEGATIVE: usize = 0;
pub const MIXED: usize = 1;
pub const POSITIVE: usize = 2;

type Pool = &'static [&'static str];

pub struct Lang {
    pub weight: u32,
    pub markets: Pool,
    pub names: Pool,
    /// Titles by sentiment: negative, mixed, positive.
    pub titles: [Pool; 3],
    /// Texts by sentiment: negative, mixed, positive.
    pub texts: [Pool; 3],
    /// Developer responses in this language.
    pub replies: Pool,
}

pub static LANGS: &[Lang] = &[
    Lang {
        weight: 32,
        markets: &["US", "US", "US", "GB", "IN", "AU", "CA", "IE", "NZ", "ZA"],
        names: &[
            "Jordan Miller",
            "Priya Sharma",
            "sam_w",
            "Chris P.",
            "Emily",
            "TechDad42",
            "Liam O'Connor",
            "A Windows User",
            "Grace Ho",
            "mike",
        ],
        titles: [
            &[
                "Keeps crashing",
                "Disappointed",
                "Worse after update",
                "Not worth the money",
                "Sync broken",
            ],
            &["Okay", "Could be better", "Almost there", "Decent"],
            &[
                "Love it",
                "Great app",
                "Excellent",
                "Five stars",
                "Exactly what I needed",
            ],
        ],
        texts: [
            &[
                "Crashes every time I try to export. Lost an hour of work.",
                "Since the last update it takes forever to start.",
                "Too many ads and the subscription is way too expensive.",
                "Sync stopped working on my second PC. Support never answered.",
                "Doesn't remember my settings after a restart.",
                "The new layout is confusing and dark mode is gone.",
            ],
            &[
                "Good features but the interface feels dated.",
                "Works fine most of the time, occasionally freezes on large files.",
                "Decent app. Would be five stars with pen support.",
                "Does the job, but the free version is very limited.",
            ],
            &[
                "Does exactly what I need, fast and reliable.",
                "Best app of its kind on Windows. Worth every cent.",
                "Love the new update, export is so much quicker now!",
                "Clean design, no ads, works offline. Great dev response too.",
                "Simple and great.",
                "I use it every day and it has never let me down.",
            ],
        ],
        replies: &[
            "Thanks for the feedback! We fixed this in version 3.2, please update and let us know.",
            "Sorry about the trouble. Could you email our support address so we can look into it?",
            "Thank you for the kind words!",
        ],
    },
    Lang {
        weight: 10,
        markets: &["DE", "DE", "AT", "CH"],
        names: &["Jürgen Müller", "Anna Schäfer", "Lukas", "M. Weiß", "Björn K."],
        titles: [
            &["Stürzt ständig ab", "Enttäuschend", "Schlechter seit Update"],
            &["Ganz okay", "Geht so"],
            &["Super App", "Klasse!", "Sehr empfehlenswert"],
        ],
        texts: [
            &[
                "Stürzt beim Exportieren ständig ab. Sehr ärgerlich.",
                "Seit dem letzten Update extrem langsam.",
                "Zu viel Werbung, und das Abo ist viel zu teuer.",
            ],
            &[
                "Gute Funktionen, aber die Oberfläche wirkt altbacken.",
                "Funktioniert meistens, friert bei großen Dateien aber ein.",
            ],
            &[
                "Macht genau, was es soll. Schnell und zuverlässig.",
                "Die beste App ihrer Art für Windows. Jeden Cent wert.",
                "Übersichtlich, keine Werbung, funktioniert auch offline.",
            ],
        ],
        replies: &[
            "Danke für Ihr Feedback! Das Problem ist in Version 3.2 behoben.",
            "Vielen Dank für die tolle Bewertung!",
        ],
    },
    Lang {
        weight: 8,
        markets: &["ES", "ES", "MX", "AR", "CO"],
        names: &["Jose Antonio", "María García", "Carlos R.", "Lucía", "Íñigo"],
        titles: [
            &["Se cuelga", "Decepcionante", "Peor tras la actualización"],
            &["Regular", "Podría mejorar"],
            &["¡Genial!", "Excelente", "Muy buena"],
        ],
        texts: [
            &[
                "Se cierra cada vez que intento exportar.",
                "Desde la última actualización va lentísimo.",
                "Demasiados anuncios y la suscripción es carísima.",
            ],
            &[
                "Buenas funciones, pero la interfaz parece anticuada.",
                "Funciona bien casi siempre, a veces se congela.",
            ],
            &[
                "Hace exactamente lo que necesito, rápido y fiable.",
                "¡Me encanta la nueva actualización!",
                "La mejor aplicación de su tipo para Windows.",
                "Perfecta para organizar lo de todo el año. ¡Enhorabuena!",
            ],
        ],
        replies: &[
            "¡Gracias por tu comentario! Lo hemos corregido en la versión 3.2.",
            "¡Muchas gracias por tu valoración!",
        ],
    },
    Lang {
        weight: 8,
        markets: &["FR", "FR", "BE", "CA", "CH"],
        names: &["Amélie Dubois", "François", "Léa Martin", "He\u{301}le\u{300}ne"],
        titles: [
            &["Plante sans arrêt", "Déçu", "Pire depuis la mise à jour"],
            &["Correct", "Peut mieux faire"],
            &["Génial", "Excellente appli", "Top"],
        ],
        texts: [
            &[
                "Plante à chaque exportation. Très frustrant.",
                "Depuis la dernière mise à jour, l'appli est d'une lenteur incroyable.",
                "Trop de publicités et l'abonnement est hors de prix.",
            ],
            &[
                "De bonnes fonctions, mais l'interface fait un peu vieillotte.",
                "Ça marche la plupart du temps, parfois ça se fige.",
            ],
            &[
                "Fait exactement ce que je veux, rapide et fiable.",
                "La meilleure appli du genre sous Windows.",
                "Parfait pour mes notes au cafe\u{301} ☕",
            ],
        ],
        replies: &[
            "Merci pour votre retour ! Le problème est corrigé dans la version 3.2.",
            "Merci beaucoup pour votre avis !",
        ],
    },
    Lang {
        weight: 7,
        markets: &["JP"],
        names: &["田中 太郎", "さくら", "ユウキ", "ｹﾝｼﾞ"],
        titles: [&["すぐ落ちる", "残念"], &["まあまあ"], &["最高", "とても便利"]],
        texts: [
            &[
                "エクスポートしようとすると毎回落ちます。",
                "前回のアップデートから起動がとても遅くなりました。",
                "広告が多すぎます。",
            ],
            &[
                "機能は良いですが、画面が少し古く感じます。",
                "大きなファイルだと時々固まります。",
            ],
            &[
                "シンプルで使いやすい！毎日使っています。",
                "Windowsで一番のアプリです。",
                "動作が軽くて最高です。",
            ],
        ],
        replies: &[
            "ご意見ありがとうございます。バージョン3.2で修正しました。",
            "高評価ありがとうございます！",
        ],
    },
    Lang {
        weight: 6,
        markets: &["CN", "CN", "TW", "HK"],
        names: &["王伟", "李娜", "小明", "陳家豪"],
        titles: [&["经常崩溃", "失望"], &["还行"], &["很好用", "五星好评"]],
        texts: [
            &[
                "每次导出都会闪退。",
                "上次更新后启动特别慢。",
                "广告太多了，订阅也太贵。",
            ],
            &["功能不错，但是界面有点过时。", "大部分时候正常，偶尔会卡住。"],
            &[
                "简单好用，每天都在用！",
                "Windows 上最好用的同类应用。",
                "速度很快，非常稳定。",
            ],
        ],
        replies: &["感谢您的反馈！我们已在 3.2 版本中修复此问题。", "感谢您的好评！"],
    },
    Lang {
        weight: 4,
        markets: &["KR"],
        names: &["김민준", "이서연", "박지훈"],
        titles: [&["자꾸 꺼져요"], &["그럭저럭"], &["최고예요", "강력 추천"]],
        texts: [
            &[
                "내보내기를 할 때마다 앱이 종료됩니다.",
                "업데이트 후에 너무 느려졌어요.",
            ],
            &["기능은 좋은데 디자인이 조금 오래된 느낌입니다."],
            &["간단하고 정말 편리해요!", "윈도우에서 최고의 앱입니다."],
        ],
        replies: &["소중한 의견 감사합니다! 3.2 버전에서 수정되었습니다."],
    },
    Lang {
        weight: 4,
        markets: &["SA", "AE", "EG"],
        names: &["محمد العتيبي", "فاطمة", "أحمد"],
        titles: [&["يتوقف باستمرار"], &["مقبول"], &["رائع", "ممتاز"]],
        texts: [
            &[
                "التطبيق يتوقف عن العمل في كل مرة أحاول التصدير.",
                "أصبح بطيئًا جدًا بعد التحديث الأخير.",
            ],
            &["ميزات جيدة لكن الواجهة قديمة بعض الشيء."],
            &["تطبيق رائع وسهل الاستخدام!", "أفضل تطبيق من نوعه على Windows 11."],
        ],
        replies: &["شكرًا على ملاحظاتك! تم إصلاح المشكلة في الإصدار 3.2."],
    },
    Lang {
        weight: 3,
        markets: &["IL"],
        names: &["יוסי כהן", "נועה", "דניאל"],
        titles: [&["קורסת כל הזמן"], &["בסדר"], &["מעולה", "ממליץ בחום"]],
        texts: [
            &[
                "האפליקציה קורסת בכל פעם שאני מנסה לייצא.",
                "מאז העדכון האחרון היא איטית מאוד.",
            ],
            &["תכונות טובות אבל הממשק קצת מיושן."],
            &["אפליקציה מעולה ופשוטה לשימוש!", "האפליקציה הכי טובה מסוגה ב-Windows."],
        ],
        replies: &["תודה על המשוב! הבעיה תוקנה בגרסה 3.2."],
    },
    Lang {
        weight: 7,
        markets: &["BR", "BR", "PT"],
        names: &["João Silva", "Ana Souza", "Pedro", "Conceição"],
        titles: [
            &["Trava muito", "Decepcionado"],
            &["Razoável"],
            &["Ótimo app", "Excelente"],
        ],
        texts: [
            &[
                "Fecha sozinho toda vez que tento exportar.",
                "Depois da última atualização ficou muito lento.",
            ],
            &["Boas funções, mas a interface parece antiga."],
            &[
                "Faz exatamente o que eu preciso. Rápido e confiável.",
                "Melhor app do tipo para Windows!",
            ],
        ],
        replies: &["Obrigado pelo feedback! Corrigimos isso na versão 3.2."],
    },
    Lang {
        weight: 5,
        markets: &["TR"],
        names: &["Ahmet Yılmaz", "Elif Şahin", "Mehmet", "fef"],
        titles: [&["Sürekli çöküyor"], &["İdare eder"], &["Harika", "Mükemmel"]],
        texts: [
            &[
                "Dışa aktarmaya çalıştığımda her seferinde kapanıyor.",
                "Son güncellemeden beri çok yavaş.",
            ],
            &["Özellikleri iyi ama arayüz biraz eski görünüyor."],
            &[
                "Tam ihtiyacım olan şey, hızlı ve güvenilir.",
                "Windows için en iyi uygulama!",
            ],
        ],
        replies: &["Geri bildiriminiz için teşekkürler! Sürüm 3.2'de düzelttik."],
    },
    Lang {
        weight: 3,
        markets: &["IN"],
        names: &["राहुल", "Ananya", "Vikram S."],
        titles: [&["बेकार"], &["ठीक-ठाक"], &["शानदार"]],
        texts: [
            &["अपडेट के बाद बार-बार बंद हो जाता है।"],
            &["ठीक है, लेकिन थोड़ा धीमा है।"],
            &["बहुत बढ़िया ऐप है, रोज़ इस्तेमाल करता हूँ।"],
        ],
        replies: &["आपकी प्रतिक्रिया के लिए धन्यवाद!"],
    },
];

/// Appended to some titles/texts: skin tones, ZWJ sequences, flags, variation selectors.
pub static EMOJI_TAILS: Pool = &[
    " 👍",
    " 📸🔥",
    " 😡😡",
    " 🙏🏽",
    " 👨‍👩‍👧",
    " 🇩🇪",
    " ❤️",
    " 🤔",
    " ✨✨✨",
    " 🐛",
];

/// Decorated text with stacked combining marks, used now and then in place of a title.
pub static ZALGO_TITLE: &str = "G\u{308}\u{336}r\u{334}\u{30a}e\u{301}\u{327}a\u{306}t\u{35c}!";

pub static OS_VERSIONS: Pool = &[
    "Windows 10",
    "Windows 10",
    "Windows 10",
    "Windows 11",
    "Windows 11",
    "Windows 11",
    "Windows 8.1",
    "Unknown",
    "10.0.19045.3803",
    "10.0.22631.3296",
];
pub static PHONE_OS_VERSIONS: Pool = &["Windows Phone 8.1", "Windows Phone 8", "Windows Phone 7.5"];
pub static DEVICE_TYPES: Pool = &[
    "PC",
    "PC",
    "PC",
    "PC",
    "PC",
    "PC",
    "PC",
    "PC",
    "PC",
    "PC",
    "PC",
    "PC",
    "Console-Xbox One",
    "Console-Xbox Series X",
    "Holographic",
    "IoT",
    "Unknown",
];
pub static DEVICE_MODELS: Pool = &[
    "Microsoft Corporation-Surface Pro 7",
    "Microsoft Corporation-Surface Laptop 5",
    "Dell Inc.-XPS 13 9310",
    "LENOVO-20XW0026GE",
    "HP-HP Pavilion Laptop 15-eh1xxx",
    "ASUSTeK COMPUTER INC.-ROG Strix G15",
    "Microsoft Corporation-Virtual Machine",
];
pub static PRODUCT_FAMILIES: Pool = &["PC", "PC", "PC", "Tablet", "Other"];
pub static RESOLUTIONS: Pool = &[
    "1920 x 1080",
    "1920 x 1080",
    "2736 x 1824",
    "3840 x 2160",
    "1366 x 768",
    "1024 x 768",
    "2560 x 1440",
];
/// [INF] documented in GB, but the doc sample (51200) looks like MB; MB-looking values are used.
pub static STORAGE: &[i64] = &[51200, 122880, 256000, 512000, 1024000];
pub static RAM_MB: &[i64] = &[-1, 4096, 8192, 8192, 16384, 16384, 32768];
pub static PACKAGE_VERSIONS: Pool = &["3.2.1.0", "3.2.0.0", "3.1.4.0", "3.0.12.0", "2.9.7.0", ""];

/// A review whose strings try to drive the terminal. Each `\x1b`/C1 sequence here is one the
/// client's sanitiser must neutralise before display.
pub struct Hostile {
    pub title: Option<&'static str>,
    pub text: Option<&'static str>,
    pub name: &'static str,
    pub rating: u8,
    pub market: &'static str,
}

pub static HOSTILE: &[Hostile] = &[
    Hostile {
        title: Some("Nice update\x1b]52;c;aGVsbG8=\x07"),
        text: Some("Loved it \x1b]0;pwned\x07 until the screen went \x1b[2Jblank."),
        name: "Mallory\u{202E}gpj.exe",
        rating: 1,
        market: "US",
    },
    Hostile {
        title: Some("\x1bP+q544e\x1b\\DCS query"),
        text: Some("C1 control \u{9b}31mred\u{9b}0m and a bell\x07 and DEL\x7f."),
        name: "\x1b[31mRed Name\x1b[0m",
        rating: 2,
        market: "GB",
    },
    Hostile {
        title: Some("\u{202E}txet desrever"),
        text: Some("Bidi \u{202E}olleh\u{202C}, isolate \u{2067}abc\u{2069}, zero\u{200B}width."),
        name: "Eve",
        rating: 3,
        market: "IL",
    },
    Hostile {
        title: None,
        text: Some("\x1b]8;;https://evil.example/\x07click me\x1b]8;;\x07\rOverwritten\x08\x08\x08!"),
        name: "Trudy\x1b]52;c;cm0gLXJmIH4=\x07",
        rating: 5,
        market: "DE",
    },
    Hostile {
        title: Some("Five stars \x1b[2J\x1b[H\x1b[?1049h"),
        text: Some("\x1b]0;pwned\x07\x1bP+q544e\x1b\\ tab\there nul\u{0}byte"),
        name: "Oscar",
        rating: 4,
        market: "FR",
    },
    Hostile {
        title: Some("\u{9d}0;c1 title\u{9c} \u{85}next line"),
        text: None,
        name: "\u{202D}Peggy\u{202C}",
        rating: 1,
        market: "SA",
    },
];
