"""Give the default rejection reasons (0004) their French, Spanish and Russian texts.

Only a reason whose English text is still the default one and whose translation is empty is
filled: coordinators may have rewritten it on the desk, and their words are kept.
"""

from django.db import migrations

TRANSLATIONS = {
    "Off topic": {
        "fr": "Votre commentaire ne porte pas sur la Note d'orientation ni sur la section où vous l'avez publié. "
        "Cette page recueille les soutiens et les commentaires sur la note elle-même.",
        "es": "Su comentario no trata de la Nota de orientación ni de la sección en la que lo publicó. "
        "Esta página recoge adhesiones y comentarios sobre la nota misma.",
        "ru": "Ваш комментарий не касается Руководящей записки или раздела, к которому вы его оставили. "
        "На этой странице собираются поддержка и комментарии к самой записке.",
    },
    "Personal data of someone else": {
        "fr": "Votre commentaire nomme ou permet d'identifier une personne qui n'y a pas consenti. Beaucoup de "
        "celles et ceux qui lisent et écrivent ici pourraient perdre leur travail, leur logement ou leur liberté "
        "s'ils étaient identifiés. Vous pouvez le publier à nouveau sans ces détails.",
        "es": "Su comentario nombra o permite identificar a una persona que no lo ha consentido. Muchas de las "
        "personas que leen y escriben aquí podrían perder su trabajo, su vivienda o su libertad si fueran "
        "identificadas. Puede publicarlo de nuevo sin esos detalles.",
        "ru": "Ваш комментарий называет или позволяет узнать человека, который на это не согласился. Многие, кто "
        "читает и пишет здесь, могут потерять работу, жильё или свободу, если их узнают. Вы можете отправить "
        "его снова без этих подробностей.",
    },
    "Abusive": {
        "fr": "Votre commentaire attaque ou insulte des personnes. Le désaccord est bienvenu ici ; les insultes ne "
        "le sont pas. Vous pouvez exprimer à nouveau votre point de vue en d'autres termes.",
        "es": "Su comentario ataca o insulta a personas. Aquí el desacuerdo es bienvenido; los insultos no. "
        "Puede expresar de nuevo su punto de vista con otras palabras.",
        "ru": "Ваш комментарий нападает на людей или оскорбляет их. Несогласие здесь приветствуется, оскорбления — "
        "нет. Вы можете снова изложить свою мысль другими словами.",
    },
    "Advertising": {
        "fr": "Votre commentaire fait la publicité d'un produit, d'un service ou d'un site web. Cette page est "
        "réservée aux soutiens et aux commentaires sur la Note d'orientation.",
        "es": "Su comentario hace publicidad de un producto, un servicio o un sitio web. Esta página es para "
        "adhesiones y comentarios sobre la Nota de orientación.",
        "ru": "Ваш комментарий рекламирует товар, услугу или сайт. Эта страница предназначена для поддержки и "
        "комментариев к Руководящей записке.",
    },
    "Duplicate": {
        "fr": "Vous avez déjà publié ce commentaire, et il n'est gardé qu'une fois. Si vous vouliez ajouter "
        "quelque chose, publiez seulement ce qui est nouveau.",
        "es": "Ya publicó este comentario, y se conserva una sola vez. Si quería añadir algo, publique solo lo "
        "que es nuevo.",
        "ru": "Вы уже отправляли этот комментарий, и он хранится в одном экземпляре. Если вы хотели что-то "
        "добавить, отправьте только новое.",
    },
}


def add_translations(apps, schema_editor):
    RejectionReason = apps.get_model("comments", "RejectionReason")
    for title, texts in TRANSLATIONS.items():
        reason = RejectionReason.objects.filter(title=title).first()
        if reason is None:
            continue
        for language, text in texts.items():
            if not getattr(reason, f"text_{language}"):
                setattr(reason, f"text_{language}", text)
        reason.save()


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0010_corrections_and_private_messages"),
    ]

    operations = [
        migrations.RunPython(add_translations, migrations.RunPython.noop),
    ]
