"""Hand-written sentiment cues for the fast model: polarity words, negators and emoji.

Why a lexicon in a learned model: the fast model's n-grams only know words that were frequent
in its training tweets, so a clear word it rarely saw ("leaking", "carísima", "undicht") adds
almost nothing and the post comes out neutral. Each cue here becomes one of a few shared
features (a positive word, a negative word, either of them after a negator, a positive or a
negative emoji) whose weights are learned from the training data like any other feature: the
lexicon says which words are clearly polar, the data says how much that counts. Words are
lower case, in the form ``features.normalise`` leaves them (apostrophes split words, so "can't"
is "can" + "t"); a two-word entry is matched as a word bigram.
"""

from __future__ import annotations

_POSITIVE = {
    "en": "love loved loving lovely great amazing awesome excellent fantastic perfect best "
          "happy glad wonderful brilliant superb impressed impressive recommend recommended "
          "thanks thank beautiful comfortable favourite favorite enjoy enjoyed nice good fast "
          "friendly helpful rock rocks outstanding delighted pleased incredible top",
    "es": "encanta encantan encantó genial geniales excelente perfecto perfecta mejor "
          "increíble maravilla maravilloso maravillosa gracias contento contenta feliz "
          "bueno buena buenísimo cómodo cómoda comodísimo comodísima recomiendo encantado "
          "encantada bonito bonita precioso preciosa rápido top fantástico fantástica",
    "pt": "amei adorei adoro amo ótimo ótima excelente perfeito perfeita melhor incrível "
          "maravilhoso maravilhosa obrigado obrigada feliz satisfeito satisfeita bom boa "
          "confortável recomendo lindo linda lindas rápido demais top fantástico fantástica",
    "fr": "adore adoré génial géniale géniaux excellent excellente parfait parfaite meilleur "
          "meilleure incroyable magnifique merci ravi ravie content contente heureux heureuse "
          "bon bonne super top superbe confortable recommande bravo formidable",
    "de": "liebe liebt toll tolle toller super großartig großartige hervorragend perfekt "
          "beste besten danke glücklich zufrieden gut gute guter bequem empfehlung empfehle "
          "wunderschön wunderschöne spitze klasse genial fantastisch schnell top begeistert",
    "it": "adoro amo fantastico fantastica fantastici ottimo ottima eccellente perfetto "
          "perfetta migliore incredibile meraviglioso meravigliosa grazie felice felicissima "
          "felicissimo contento contenta soddisfatto soddisfatta buono buona comodo comoda "
          "comodissimo consiglio bellissimo bellissima bello bella top grandi",
    "ar": "أحب رائع رائعة ممتاز ممتازة أفضل جميل جميلة شكرا سعيد سعيدة مريح مريحة أنصح "
          "مذهل مذهلة الأفضل روعة جيد جيدة",
    "hi": "पसंद शानदार बढ़िया अच्छा अच्छी अच्छे बेहतरीन धन्यवाद शुक्रिया खुश आरामदायक "
          "कमाल सुंदर प्यारा प्यारे प्यारी मज़ा badhiya accha acchi mast",
    "fa": "عالی عاشق خوب ممنون مرسی راضی خوشحال بهترین فوق‌العاده زیبا راحت دوست",
}
_NEGATIVE = {
    "en": "hate hated awful terrible horrible worst bad disappointed disappointing "
          "disappointment broke broken broken leak leaking leaks leaked soaked useless "
          "waste scam rude poor sucks angry annoyed annoying disgusting refund avoid "
          "overpriced expensive cheap fail failed faulty ripped defective ridiculous joke "
          "never lost delay delayed",
    "es": "odio horrible pésimo pésima peor malo mala fatal decepción decepcionado "
          "decepcionada roto rota rompió estafa caro cara carísimo carísima asco "
          "vergüenza nunca basura inútil perdido tarde reembolso empapado",
    "pt": "odeio horrível péssimo péssima pior ruim decepção decepcionado decepcionada "
          "quebrou quebrado rasgou fraude caro cara lixo vergonha nunca trava inútil",
    "fr": "déteste horrible nul nulle pire mauvais mauvaise déçu déçue déception cassé "
          "cassée arnaque cher chère honteux honte jamais inutile perdu remboursement "
          "trempé plante",
    "de": "hasse schrecklich schlecht schlechter schlimm schlimmste enttäuscht enttäuschung "
          "kaputt abzocke teuer mist miserabel unverschämt nie niemals nutzlos verloren "
          "undicht nass ärgerlich katastrophe",
    "it": "odio orribile pessimo pessima peggiore brutto brutta delusione deluso delusa "
          "rotto rotta truffa caro cara vergognoso vergogna mai inutile perso blocca",
    "ar": "أكره سيء سيئة أسوأ مخيب خيبة مكسور احتيال غالي مخجل تعطل يتعطل فاشل رديء "
          "مزعج",
    "hi": "बुरा बुरी खराब घटिया निराश धोखा महंगा बेकार नफरत bekaar bakwas bura kharab",
    "fa": "بد افتضاح بدترین ناراضی ناامید خراب گران کلاهبرداری متنفرم هنگ پاره",
}
#: two-word cues (matched as word bigrams), by polarity
_PHRASES = {
    "negative": "too expensive|way too|not worth|want my|money back|no answer|fell apart|"
                "demasiado caro|trop cher|trop chère|zu teuer|troppo caro|caro demais|"
                "never again|nunca más|plus jamais|nie wieder|mai più|nunca mais",
    "positive": "well done|so good|muy bueno|très bien|sehr gut|molto bene|muito bom|"
                "highly recommend|thank you",
}
_NEGATORS = {
    "en": "not no never nothing nobody nor t nt without",
    "es": "no nunca nada nadie ni sin jamás",
    "pt": "não nunca nada ninguém nem sem jamais",
    "fr": "ne n pas jamais rien personne sans ni",
    "de": "nicht kein keine keinen keiner nie niemals nichts ohne",
    "it": "non mai niente nessuno senza né",
    "ar": "لا لم لن ما ليس ليست بدون",
    "hi": "नहीं न मत कभी nahi nahin",
    "fa": "نه نیست نیستم نبود هیچ هرگز بدون",
}
POSITIVE_EMOJI = "😍🥰😘❤💕💖💗💚💙💜🧡💛😊😀😃😄😁🙂😎🤩👍👏🙌🔥💯⭐🌟✨🎉🙏👌💪😻"
NEGATIVE_EMOJI = "😡🤬😠👎😤😞😢😭💔😩😫🤮🤢😒🙄😑😖😣😕☹🙁😿💩"


def words(polarity: str) -> list[str]:
    """Every single-word cue of one polarity ("positive", "negative") or of "negator"."""
    table = {"positive": _POSITIVE, "negative": _NEGATIVE, "negator": _NEGATORS}[polarity]
    return sorted({w for text in table.values() for w in text.split()})


def phrases(polarity: str) -> list[tuple[str, str]]:
    """Two-word cues of one polarity as (first, second) word pairs."""
    return [tuple(p.split()) for p in _PHRASES[polarity].split("|")]  # type: ignore[misc]
