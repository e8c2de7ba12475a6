"""Demo initiatives: what the union's members really do, as their officers would write it.

About 250 initiatives across the member provinces and cities, in every
category, mostly in Persian (some in English or Russian, where a real officer
would write so), with the ones named at the union's founding meeting among
them, and the two-year programmes members run. Each contributes to the goals
its kind of work plainly serves. Built from a fixed random seed, so every demo database looks the same;
reseeding skips what exists (matched by ``external_id``).
"""

from __future__ import annotations

import io
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from PIL import Image
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from wcc.extensions import db
from wcc.goals.models import Goal
from wcc.i18n.text import to_persian_digits
from wcc.initiatives import services
from wcc.initiatives.demo_photos import demo_photo
from wcc.initiatives.models import Category, Craft, FileKind, Initiative, Money, Status
from wcc.orgs.models import Organisation

#: The goals (codes of the default catalogue) each category of work plainly contributes to.
CATEGORY_GOALS = {
    "export_deal": ("EXPORT-RU",), "sales_rep": ("EXPORT-RU",), "customs": ("EXPORT-RU",),
    "logistics": ("POSTAL-ONTIME",), "film": ("FILM-PLACEMENTS",), "brochure": ("BROCHURES-RU",),
    "photography": ("PHOTOGRAPHY",), "market_research": ("MARKET-STUDIES",), "exhibition": ("EXHIBITIONS",),
    "auction": ("AUCTIONS",), "hotel_placement": ("HOTEL-PLACEMENTS",), "storytelling": ("STORIES",),
    "training": ("ARTISANS-TRAINED",),
}

TODAY = date(2026, 11, 20)  # fixed, so the demo reads the same whichever day it is loaded
GENERATED = 160
#: About how many programmes ``_programmes`` plans for the demo network (for the progress bar).
PROGRAMMES = 80

#: The crafts each member is known for (codes from wcc/data/crafts.csv).
ORG_CRAFTS = {
    "IR-10": ["enamel", "metal_engraving", "khatam", "carpet", "block_print"],
    "IR-10-ISFAHAN": ["enamel", "metal_engraving", "khatam", "block_print", "carpet"],
    "IR-10-KASHAN": ["carpet", "pottery"],
    "IR-10-NAIN": ["carpet", "felt"],
    "IR-07": ["khatam", "kilim", "carpet", "monabbat"],
    "IR-07-SHIRAZ": ["khatam", "kilim", "carpet"],
    "IR-07-ABADEH": ["monabbat"],
    "IR-03": ["carpet"],
    "IR-03-TABRIZ": ["carpet"],
    "IR-13-LALEJIN": ["pottery"],
    "IR-13-MALAYER": ["carved_furniture", "monabbat"],
    "IR-13-HAMADAN": ["pottery"],
    "IR-09-MASHHAD": ["gemstones", "carpet"],
    "IR-08-SIRJAN": ["kilim"],
    "IR-08-KERMAN": ["needlework", "carpet", "felt"],
    "IR-12-MARIVAN": ["klash"],
    "IR-12-SANANDAJ": ["klash", "kilim"],
    "IR-11-KALPOURGAN": ["handmade_pottery", "needlework"],
    "IR-21-MEYBOD": ["zilu", "pottery"],
    "IR-21-YAZD": ["termeh", "zilu"],
    "IR-29-KHORASHAD": ["tobafi"],
    "IR-19-ZANJAN": ["filigree"],
    "IR-01-QASEMABAD": ["chador_shab"],
    "IR-01-RASHT": ["needlework", "chador_shab"],
    "IR-24-ARDABIL": ["carpet", "kilim"],
    "IR-05-KERMANSHAH": ["klash"],
    "IR-23-TEHRAN": ["carpet", "enamel"],
    "IR-28-BOJNURD": ["felt", "kilim"],
    "IR-14-SHAHREKORD": ["felt", "kilim"],
}
#: How often each member appears (the busiest members log the most).
ORG_WEIGHTS = {"IR-10-ISFAHAN": 14, "IR-07-SHIRAZ": 11, "IR-03-TABRIZ": 10, "IR-10-KASHAN": 8, "IR-10": 8,
               "IR-07": 6, "IR-03": 4, "IR-19-ZANJAN": 6, "IR-21-MEYBOD": 5, "IR-21-YAZD": 5,
               "IR-14-SHAHREKORD": 5, "IR-11-KALPOURGAN": 5, "IR-13-LALEJIN": 5}

#: How a craft's products are called in running Persian text.
PRODUCT_FA = {
    "carpet": "فرش دستباف", "felt": "نمد", "needlework": "سوزن‌دوزی", "pottery": "سفال",
    "handmade_pottery": "سفال دست‌ساز", "gemstones": "فیروزه و سنگ‌های قیمتی", "kilim": "گلیم",
    "klash": "گیوه و کلاش", "zilu": "زیلو", "monabbat": "منبت", "tobafi": "سبدهای تابافی",
    "carved_furniture": "مبل منبت", "filigree": "ملیله", "chador_shab": "چادرشب", "enamel": "میناکاری",
    "metal_engraving": "ظروف قلمزنی", "khatam": "خاتم", "block_print": "قلمکار", "termeh": "ترمه",
}
PRODUCT_EN = {
    "carpet": "hand-woven carpets", "felt": "felt rugs", "needlework": "suzandozi needlework",
    "pottery": "pottery", "handmade_pottery": "handmade pottery", "gemstones": "turquoise jewellery",
    "kilim": "kilims", "klash": "klash shoes", "zilu": "zilu rugs", "monabbat": "carved woodwork",
    "tobafi": "tobafi baskets", "carved_furniture": "carved furniture", "filigree": "silver filigree",
    "chador_shab": "chador-shab textiles", "enamel": "enamelware", "metal_engraving": "engraved copperware",
    "khatam": "khatam boxes", "block_print": "ghalamkar textiles", "termeh": "termeh",
}
RU_CITIES_FA = ["مسکو", "مسکو", "مسکو", "سن‌پترزبورگ", "قازان", "سوچی", "آستراخان", "یکاترینبورگ"]
VENUES_FA = ["جشن روز ملی در سفارت جمهوری اسلامی ایران در مسکو", "نمایشگاه اکسپوسنتر مسکو",
             "هفته فرهنگی ایران در قازان", "جشنواره نوروز در آستراخان", "نمایشگاه بین‌المللی گردشگری سن‌پترزبورگ"]
PARTNERS = {
    "export_deal": ["Торговый дом «Персидский узор»", "ООО «Восточный базар»", "فروشگاه زنجیره‌ای «دوم کاوروف»",
                    "شرکت بازرگانی پارس‌روس"],
    "sales_rep": ["رایزنی بازرگانی ایران در مسکو", "ООО «Иран-Ремесло»", "Торговый дом «Персидский узор»"],
    "logistics": ["Почта России", "شرکت ملی پست جمهوری اسلامی ایران", "پست منطقه آزاد انزلی"],
    "customs": ["گمرک ایران", "Федеральная таможенная служба", "اتاق بازرگانی ایران و روسیه"],
    "film": ["Киностудия «Северный свет»", "انجمن سینمای جوانان", "شبکه تلویزیونی «Культура»"],
    "brochure": ["Издательство «Восток-Запад»", "خانه فرهنگ ایران در مسکو"],
    "photography": ["استودیو عکاسی نقش", "انجمن عکاسان اصفهان"],
    "market_research": ["دانشگاه دولتی مسکو، گروه مطالعات ایران", "اتاق بازرگانی ایران و روسیه"],
    "exhibition": ["سفارت جمهوری اسلامی ایران در مسکو", "Экспоцентр", "خانه فرهنگ ایران در مسکو"],
    "auction": ["Аукционный дом «Гостиный двор»", "سفارت جمهوری اسلامی ایران در مسکو"],
    "hotel_placement": ["Гостиница «Каспий»", "Торгово-промышленная палата РФ", "اتاق بازرگانی ایران و روسیه"],
    "storytelling": ["خبرگزاری ایرنا", "Журнал «Вокруг света»", "شبکه مستند سیما"],
    "training": ["سازمان فنی و حرفه‌ای", "دانشگاه هنر اصفهان", "مرکز آموزش زبان روسی"],
}
TITLES_FA = {
    "export_deal": ["صادرات {product} {city} به {ru_city}", "قرارداد فروش {n} قطعه {product} با خریدار روس",
                    "ارسال محموله {product} به فروشگاه‌های زنجیره‌ای {ru_city}",
                    "فروش عمده {product} به واردکننده روس در {ru_city}"],
    "sales_rep": ["نماینده فروش {product} {city} در {ru_city}",
                  "همکاری با نماینده فروش در {ru_city} برای عرضه {product}"],
    "logistics": ["ارسال سفارش‌های {product} با پست بین‌المللی در چارچوب تفاهم‌نامه پستی ایران و روسیه",
                  "بسته‌بندی استاندارد {product} برای ارسال پستی به {ru_city}",
                  "کنترل کیفیت مرسوله‌های پستی {product} پیش از ارسال به روسیه"],
    "customs": ["رفع مشکل ترخیص محموله {product} در گمرک {ru_city}",
                "راهنمای کد تعرفه گمرکی {product} برای صادرکنندگان {city}",
                "پیگیری استرداد عوارض صادراتی {product}"],
    "film": ["نمایش {product} {city} در سریال تلویزیونی روسی",
             "فیلم‌برداری گروه روسی در کارگاه‌های {product} {city}",
             "اجاره بافت تاریخی {city} به گروه فیلم‌سازی روس"],
    "brochure": ["بروشور روسی‌زبان معرفی {product} {city}", "کاتالوگ دوزبانه فارسی و روسی {product}",
                 "بروشور ساده «{product} چیست؟» برای خریداران روس"],
    "photography": ["عکاسی حرفه‌ای از مجموعه {product} {city}",
                    "عکس‌های محصول {product} برای فروشگاه‌های اینترنتی روسی"],
    "market_research": ["پژوهش بازار {product} در {ru_city}",
                        "بررسی سلیقه خریداران روس در خرید {product}",
                        "نظرسنجی از بازدیدکنندگان روس درباره قیمت {product}"],
    "exhibition": ["نمایشگاه زنده {product} در {venue}", "حضور هنرمندان {product} {city} در {venue}",
                   "کارگاه زنده {product} {city} در {venue}"],
    "auction": ["حراج {product} نفیس در {ru_city}", "حراج خیریه {product} {city} در {ru_city}"],
    "hotel_placement": ["عرضه {product} در لابی هتل‌های {ru_city}",
                        "غرفه دائمی {product} در اتاق بازرگانی ایران و روسیه",
                        "تزیین سوئیت‌های هتل با {product} {city} در {ru_city}"],
    "storytelling": ["روایت زندگی استادکاران {product} {city}", "مستند کوتاه درباره {product} {city}",
                     "داستان یک خانواده هنرمند {product} در {city}"],
    "training": ["کارگاه آموزش صادرات برای هنرمندان {product} {city}",
                 "آموزش زبان روسی تجاری برای فروشندگان صنایع دستی {city}",
                 "دوره طراحی {product} متناسب با سلیقه بازار روسیه"],
}
SUMMARIES_FA = {
    "export_deal": "پس از مذاکره در نمایشگاه، خریدار روس سفارش {n} قطعه {product} را ثبت کرد. "
                   "پرداخت از طریق حساب ارزی انجام شد و محموله با بیمه‌نامه ارسال شد.",
    "sales_rep": "یک نماینده فروش مقیم {ru_city} نمونه‌های {product} را به فروشگاه‌ها و طراحان داخلی معرفی می‌کند "
                 "و سفارش‌ها را مستقیم به کارگاه‌ها می‌رساند.",
    "logistics": "سفارش‌های خرده‌فروشی {product} با پست ارسال می‌شود؛ زمان رسیدن و سلامت مرسوله‌ها هر ماه بررسی می‌شود.",
    "customs": "محموله {product} به دلیل ابهام در کد تعرفه در گمرک ماند؛ با پیگیری استان و رایزنی بازرگانی موضوع حل شد.",
    "film": "{product} {city} در صحنه‌هایی از یک مجموعه تلویزیونی روسی دیده شد و نام کارگاه در تیتراژ آمد.",
    "brochure": "بروشوری کوتاه به زبان روسی، با عکس و توضیح ساده، {product} را به خریداران تازه معرفی می‌کند.",
    "photography": "از {n} اثر {product} با نور استودیویی و پس‌زمینه یکدست عکس گرفته شد تا در کاتالوگ و فروشگاه اینترنتی به کار رود.",
    "market_research": "بررسی کردیم خریداران روس {product} را برای چه می‌خرند، چه قیمتی را می‌پذیرند و از کجا می‌خرند.",
    "exhibition": "هنرمندان {city} در برابر مهمانان، {product} را زنده ساختند؛ چند سفارش همان‌جا ثبت شد.",
    "auction": "{n} اثر برگزیده {product} در حراجی به فروش رسید؛ بخشی از درآمد صرف آموزش هنرمندان جوان شد.",
    "hotel_placement": "آثار {product} در فضاهای عمومی هتل به نمایش درآمده و مهمانان می‌توانند آن‌ها را سفارش دهند.",
    "storytelling": "روایتی از زندگی و کار استادکاران {product} {city}، با عکس، برای خوانندگان فارسی و روسی.",
    "training": "دوره‌ای {hours} ساعته برای هنرمندان و کارگاه‌داران {city}: قیمت‌گذاری، بسته‌بندی، و آشنایی با بازار روسیه.",
}
#: Programmes members run over both demo years, quarter after quarter: the work their reports cite.
PROGRAMME_TITLES_FA = {
    "export_deal": "برنامه دوساله صادرات {product} {city} به روسیه",
    "exhibition": "نمایشگاه‌های زنده فصلی {product} {city} برای مخاطب روس",
    "photography": "طرح عکاسی حرفه‌ای از آثار {product} {city}",
    "hotel_placement": "عرضه دائمی {product} {city} در هتل‌ها و اتاق بازرگانی",
    "storytelling": "مجموعه روایت‌های استادکاران {product} {city}",
    "training": "دوره‌های آموزش صادرات برای هنرمندان {city}",
    "logistics": "ارسال پستی منظم {product} {city} به روسیه",
}
PROGRAMME_SUMMARIES_FA = {
    "export_deal": "برنامه‌ای دوساله برای رساندن {product} {city} به خریداران روسیه: نمونه‌فرستی، قرارداد با "
                   "واردکنندگان و پیگیری پرداخت‌ها، فصل به فصل.",
    "exhibition": "هر فصل دست‌کم یک نمایشگاه یا اجرای زنده برای مخاطب روس؛ هنرمندان {city} {product} را در برابر "
                  "بازدیدکنندگان می‌سازند.",
    "photography": "عکاسان همکار هر فصل از آثار تازه {product} عکس استودیویی می‌گیرند تا در کاتالوگ روسی و "
                   "فروشگاه‌های اینترنتی بیاید.",
    "hotel_placement": "آثار {product} {city} در هتل‌ها و اتاق بازرگانی به نمایش و فروش گذاشته می‌شود و فروش هر فصل "
                       "بازبینی می‌شود.",
    "storytelling": "هر فصل چند روایت از استادکاران {product} {city}، با عکس، به فارسی و روسی منتشر می‌شود.",
    "training": "دوره‌های فصلی برای هنرمندان {city}: قیمت‌گذاری، بسته‌بندی، روسی پایه و آشنایی با بازار روسیه.",
    "logistics": "سفارش‌های {product} {city} در چارچوب تفاهم‌نامه پستی ایران و روسیه به‌طور منظم ارسال و زمان "
                 "رسیدنشان پیگیری می‌شود.",
}
#: Programme categories by the kind of member (municipalities do not report postal delivery).
PROGRAMME_CATEGORIES = {
    "municipality": ["export_deal", "exhibition", "photography", "hotel_placement", "storytelling", "training"],
    "province": ["export_deal", "exhibition", "photography", "hotel_placement", "storytelling", "training",
                 "logistics"],
}
#: 1 Farvardin 1403 and the last day of Esfand 1404: the two demo reporting years.
PROGRAMME_START, PROGRAMME_END = date(2024, 3, 20), date(2026, 3, 20)

MILESTONES_FA = {
    "export_deal": ["امضای قرارداد", "آماده‌سازی و بسته‌بندی", "ارسال محموله", "تسویه حساب"],
    "sales_rep": ["انتخاب نماینده", "ارسال نمونه‌ها", "نخستین سفارش"],
    "logistics": ["هماهنگی با اداره پست", "نخستین ارسال", "گزارش زمان تحویل"],
    "customs": ["ثبت درخواست", "جلسه با گمرک", "ترخیص محموله"],
    "film": ["توافق با گروه فیلم‌سازی", "فیلم‌برداری", "پخش"],
    "brochure": ["نگارش متن", "ترجمه روسی", "چاپ و توزیع"],
    "photography": ["انتخاب آثار", "عکاسی", "ویرایش و تحویل عکس‌ها"],
    "market_research": ["طراحی پرسشنامه", "گردآوری داده", "گزارش نهایی"],
    "exhibition": ["هماهنگی با میزبان", "ارسال آثار", "برگزاری نمایشگاه"],
    "auction": ["انتخاب آثار", "کارشناسی و قیمت‌گذاری", "برگزاری حراج"],
    "hotel_placement": ["توافق با هتل", "نصب آثار", "بازبینی فروش"],
    "storytelling": ["گفت‌وگو با هنرمندان", "عکاسی", "انتشار"],
    "training": ["ثبت‌نام", "برگزاری کارگاه", "ارزیابی"],
}
STORY_PARAGRAPHS_FA = [
    "این اقدام با همکاری اداره کل میراث فرهنگی، گردشگری و صنایع دستی استان انجام شد. "
    "هنرمندان از ماه‌ها پیش آثار را آماده کردند و برای هر اثر شناسنامه‌ای دوزبانه نوشتیم.",
    "**نکته مهم:** خریداران روس به داستان پشت هر اثر علاقه دارند؛ نام استادکار و زمان ساخت را روی برچسب نوشتیم.",
    "آنچه آموختیم:\n\n- قیمت را به یورو و روبل هر دو اعلام کنید؛\n- نمونه‌ها را زودتر بفرستید؛\n"
    "- عکس خوب نیمی از فروش است.",
    "در ادامه، گزارش فروش و بازخورد خریداران را با دیگر اعضای اتحادیه به اشتراک می‌گذاریم.",
]
CONTACTS = ["نرگس احمدی", "مهدی رضایی", "لیلا کاظمی", "امیر حسینی", "سمیه موسوی", "رضا قاسمی", "مینا جعفری",
            "حمید نوری", "فرزانه صالحی", "یوسف عباسی"]

#: Initiatives written in English or Russian, as some officers would.
OTHER_LANGUAGE = [
    ("IR-03-TABRIZ", "exhibition", "Tabriz carpet showroom at Expocentre Moscow",
     "Twelve master weavers showed silk and wool carpets; buyers from Moscow and Kazan placed orders on site.",
     ["carpet"]),
    ("IR-03-TABRIZ", "photography", "Studio photography of the Tabriz silk carpet collection",
     "Sixty carpets photographed flat and in room settings for the union's Russian-language online catalogue.",
     ["carpet"]),
    ("IR-03-TABRIZ", "market_research", "Survey of Moscow interior designers on Persian carpets",
     "Interviews with 25 designers: sizes, colours and price ranges they look for.", ["carpet"]),
    ("IR-10-ISFAHAN", "brochure", "Ремёсла Исфахана: брошюра на русском языке",
     "Короткая брошюра о минакари, каламзани, хатаме и каламкаре — с фотографиями и адресами мастерских.",
     ["enamel", "metal_engraving", "khatam", "block_print"]),
    ("IR-19-ZANJAN", "exhibition", "Выставка зенджанской филиграни в Казани",
     "Мастера из Зенджана показали серебряную филигрань на неделе иранской культуры в Казани.", ["filigree"]),
    ("IR-07-SHIRAZ", "hotel_placement", "Ширазский хатам в отелях Сочи",
     "Шкатулки и рамы в технике хатам выставлены в лобби двух отелей; гости могут заказать изделия.",
     ["khatam"]),
    ("IR-21-YAZD", "export_deal", "Termeh shipment to a St Petersburg textile boutique",
     "Forty metres of hand-woven termeh sold to a boutique on Nevsky Prospekt.", ["termeh"]),
]


@dataclass
class Headline:
    org: str
    category: str
    title: str
    summary: str
    story: str
    crafts: list[str]
    start: date
    end: date | None
    status: str
    partners: list[str] = field(default_factory=list)
    deal: Money | None = None
    budget: Money | None = None
    milestones: list[tuple[date, str, bool]] = field(default_factory=list)


HEADLINES = [
    Headline(
        "IR-10-KASHAN", "film", "اجاره خانه‌های تاریخی کاشان به کارگردانان روسی",
        "سه گروه فیلم‌سازی روس در خانه‌های تاریخی و کارگاه‌های فرش کاشان فیلم‌برداری کردند؛ "
        "درآمد اجاره لوکیشن‌ها بدون هیچ سرمایه‌گذاری به ۱٫۳ میلیون یورو رسید.",
        "کارگردانان روس برای صحنه‌های «شرق» در پی لوکیشن‌های واقعی بودند. شهرداری کاشان فهرستی از خانه‌های "
        "تاریخی، کاروانسراها و کارگاه‌های فرش‌بافی را با عکس و اطلاعات دسترسی آماده کرد و از طریق رایزنی "
        "فرهنگی به تهیه‌کنندگان فرستاد.\n\n"
        "**نتیجه:** سه پروژه سینمایی و یک سریال در کاشان فیلم‌برداری شد. هزینه اجاره، اقامت و خدمات محلی "
        "روی هم **۱٬۳۰۰٬۰۰۰ یورو** درآمد برای شهر داشت و فرش‌بافان کاشان در چند صحنه دیده شدند.\n\n"
        "این تجربه نشان داد که بافت تاریخی، خودش سرمایه است؛ کافی است آن را درست معرفی کنیم.",
        ["carpet"], date(2024, 4, 10), date(2025, 9, 30), Status.COMPLETED,
        ["Киностудия «Северный свет»", "رایزنی فرهنگی ایران در مسکو", "اداره میراث فرهنگی کاشان"],
        deal=Money(Decimal("1300000"), "EUR", date(2025, 9, 30)),
        milestones=[(date(2024, 5, 1), "ارسال فهرست لوکیشن‌ها به تهیه‌کنندگان", True),
                    (date(2024, 9, 15), "فیلم‌برداری نخستین پروژه", True),
                    (date(2025, 6, 1), "فیلم‌برداری سریال", True),
                    (date(2025, 9, 30), "تسویه نهایی اجاره‌ها", True)],
    ),
    Headline(
        "IR-10", "sales_rep", "نماینده فروش صنایع دستی اصفهان در مسکو",
        "نخستین نفر از چهار نماینده فروش اتحادیه در مسکو: میناکاری، قلمزنی و خاتم اصفهان را به فروشگاه‌های "
        "مسکو معرفی می‌کند.",
        "نماینده با نمونه‌های ۱۸ کارگاه اصفهانی کار می‌کند. سفارش‌ها مستقیم به کارگاه می‌رسد و کمیسیون "
        "نماینده پس از تسویه پرداخت می‌شود.",
        ["enamel", "metal_engraving", "khatam"], date(2025, 3, 21), None, Status.ACTIVE,
        ["ООО «Иран-Ремесло»", "رایزنی بازرگانی ایران در مسکو"],
        deal=Money(Decimal("86500"), "EUR", date(2026, 9, 22)),
        milestones=[(date(2025, 4, 20), "انتخاب نماینده", True), (date(2025, 6, 1), "ارسال نمونه‌ها", True),
                    (date(2025, 8, 10), "نخستین سفارش", True), (date(2027, 3, 20), "ارزیابی سالانه", False)],
    ),
    Headline(
        "IR-07", "sales_rep", "نماینده فروش صنایع دستی فارس در مسکو",
        "دومین نماینده فروش اتحادیه در مسکو، برای خاتم، گلیم و منبت فارس.",
        "", ["khatam", "kilim", "monabbat"], date(2025, 4, 15), None, Status.ACTIVE,
        ["Торговый дом «Персидский узор»"], deal=Money(Decimal("52000"), "EUR", date(2026, 10, 1)),
    ),
    Headline(
        "IR-03", "sales_rep", "نماینده فروش فرش دستباف تبریز در مسکو",
        "سومین نماینده فروش اتحادیه در مسکو؛ فرش‌های ابریشم و پشم تبریز را به طراحان داخلی عرضه می‌کند.",
        "", ["carpet"], date(2025, 5, 1), None, Status.ACTIVE, ["ООО «Восточный базар»"],
        deal=Money(Decimal("12400000"), "RUB", date(2026, 10, 15)),
    ),
    Headline(
        "IR-19-ZANJAN", "sales_rep", "نماینده فروش ملیله زنجان در مسکو",
        "چهارمین نماینده فروش اتحادیه در مسکو، برای ملیله و چاقوی زنجان.",
        "", ["filigree"], date(2025, 6, 1), None, Status.ACTIVE, ["ООО «Иран-Ремесло»"],
    ),
    Headline(
        "IR-10-ISFAHAN", "brochure", "بروشور روسی‌زبان صنایع دستی اصفهان",
        "بروشوری ساده و کوتاه به زبان روسی که میناکاری، قلمزنی، خاتم و قلمکار اصفهان را معرفی می‌کند.",
        "بروشور در **۵٬۰۰۰ نسخه** چاپ شد و در نمایشگاه‌ها، سفارت و خانه فرهنگ ایران در مسکو توزیع می‌شود. "
        "نسخه الکترونیکی آن هم در پایگاه اتحادیه در دسترس است.\n\n"
        "متن را یک مترجم روس‌زبان بازخوانی کرد تا برای خواننده روس طبیعی باشد، نه ترجمه‌ای لفظ به لفظ.",
        ["enamel", "metal_engraving", "khatam", "block_print"], date(2025, 1, 10), date(2025, 5, 30),
        Status.COMPLETED, ["Издательство «Восток-Запад»", "خانه فرهنگ ایران در مسکو"],
        budget=Money(Decimal("950000000"), "IRR", date(2025, 1, 10)),
        milestones=[(date(2025, 2, 15), "نگارش متن فارسی", True), (date(2025, 3, 30), "ترجمه و بازخوانی روسی", True),
                    (date(2025, 5, 30), "چاپ و توزیع", True)],
    ),
    Headline(
        "IR-10", "exhibition", "نمایشگاه‌های زنده صنایع دستی در جشن روز ملی سفارت ایران در مسکو",
        "در جشن سالگرد پیروزی انقلاب در سفارت، هنرمندان اصفهانی جلوی چشم مهمانان میناکاری و قلمزنی کردند.",
        "حدود **۶۰۰ مهمان** از سفارتخانه‌ها، وزارتخانه‌های روسیه و بازرگانان در جشن بودند. "
        "چهار هنرمند میز کار خود را در سالن برپا کردند و مهمانان مراحل ساخت را از نزدیک دیدند.\n\n"
        "> «هیچ بروشوری جای دیدن دست استادکار را نمی‌گیرد.» — یکی از مهمانان\n\n"
        "پس از جشن، دو فروشگاه مسکو برای همکاری تماس گرفتند.",
        ["enamel", "metal_engraving"], date(2026, 2, 1), date(2026, 2, 11), Status.COMPLETED,
        ["سفارت جمهوری اسلامی ایران در مسکو"], budget=Money(Decimal("1800000000"), "IRR", date(2026, 1, 20)),
        milestones=[(date(2025, 12, 15), "هماهنگی با سفارت", True), (date(2026, 1, 25), "ارسال آثار و ابزار", True),
                    (date(2026, 2, 11), "اجرای زنده در جشن", True)],
    ),
    Headline(
        "IR-03-TABRIZ", "auction", "حراج فرش‌های نفیس تبریز در مسکو",
        "بیست تخته فرش نفیس ابریشم و پشم تبریز در حراجی مسکو عرضه شد؛ همه فروش رفت.",
        "فرش‌ها را کارشناسان اتحادیه برگزیدند و برای هر تخته شناسنامه‌ای روسی با نام بافنده و نقشه نوشتیم. "
        "بالاترین قیمت به فرشی با نقشه **لچک ترنج** رسید.",
        ["carpet"], date(2025, 9, 1), date(2025, 11, 29), Status.COMPLETED,
        ["Аукционный дом «Гостиный двор»", "سفارت جمهوری اسلامی ایران در مسکو"],
        deal=Money(Decimal("412000"), "EUR", date(2025, 11, 29)),
        milestones=[(date(2025, 9, 20), "انتخاب فرش‌ها", True), (date(2025, 10, 25), "کارشناسی و قیمت پایه", True),
                    (date(2025, 11, 29), "برگزاری حراج", True)],
    ),
]


def _pick_craft_code(rng: random.Random, org_code: str, crafts: dict[str, Craft]) -> str:
    codes = ORG_CRAFTS.get(org_code) or list(crafts)
    return rng.choice(codes)


def _dates(rng: random.Random) -> tuple[date, date | None, str]:
    start = date(2023, 3, 21) + timedelta(days=rng.randrange(0, 1350))
    length = rng.choice([20, 45, 90, 120, 180, 270, 365])
    end = start + timedelta(days=length) if rng.random() < 0.85 else None
    if start > TODAY:
        status = Status.PLANNED
    elif end is not None and end < TODAY:
        status = Status.CANCELLED if rng.random() < 0.08 else Status.COMPLETED
    else:
        status = Status.ACTIVE
    return start, end, status


def _money_for(rng: random.Random, category: str, start: date) -> tuple[Money | None, Money | None]:
    budget = None
    if rng.random() < 0.7:
        budget = Money(Decimal(rng.randrange(15, 400) * 10_000_000), "IRR", start)
    deal = None
    if category in ("export_deal", "auction", "sales_rep", "hotel_placement", "film") and rng.random() < 0.85:
        if rng.random() < 0.65:
            deal = Money(Decimal(rng.randrange(8, 260) * 1000), "EUR", start + timedelta(days=30))
        else:
            deal = Money(Decimal(rng.randrange(5, 200) * 100_000), "RUB", start + timedelta(days=30))
    return budget, deal


def _milestones(rng: random.Random, category: str, start: date, end: date | None):
    steps = MILESTONES_FA[category][: rng.randint(0, len(MILESTONES_FA[category]))]
    span = ((end or start + timedelta(days=120)) - start).days or 1
    out = []
    for index, title in enumerate(steps, start=1):
        due = start + timedelta(days=span * index // (len(steps) + 1))
        out.append(services.MilestoneData(due, title, due < TODAY))
    return out


def _generated(rng: random.Random, orgs: dict[str, Organisation], crafts: dict[str, Craft],
               categories: list[str]) -> Iterator[tuple[str, str, str, dict]]:
    weighted = [code for code in ORG_CRAFTS if code in orgs for _ in range(ORG_WEIGHTS.get(code, 2))]
    for index in range(GENERATED):
        category = categories[index % len(categories)]
        org_code = rng.choice(weighted)
        craft = _pick_craft_code(rng, org_code, crafts)
        words = {"product": PRODUCT_FA[craft], "city": orgs[org_code].name_fa, "ru_city": rng.choice(RU_CITIES_FA),
                 "venue": rng.choice(VENUES_FA), "n": to_persian_digits(str(rng.choice([12, 20, 24, 36, 40, 60]))),
                 "hours": to_persian_digits(str(rng.choice([12, 16, 24, 40])))}
        start, end, status = _dates(rng)
        budget, deal = _money_for(rng, category, start)
        story = ""
        if rng.random() < 0.35:
            story = "\n\n".join(rng.sample(STORY_PARAGRAPHS_FA, rng.randint(1, 3)))
        extra = [c for c in ORG_CRAFTS.get(org_code, []) if c != craft]
        values = {
            "title": rng.choice(TITLES_FA[category]).format(**words),
            "summary": SUMMARIES_FA[category].format(**words),
            "story": story,
            "crafts": [crafts[craft]] + ([crafts[rng.choice(extra)]] if extra and rng.random() < 0.3 else []),
            "status": status, "start_date": start, "end_date": end,
            "partner_country": "RU" if rng.random() < 0.9 else rng.choice(["KZ", "AM", "BY", "TR"]),
            "partners": rng.sample(PARTNERS[category], rng.randint(0, 2)),
            "budget": budget, "deal_value": deal,
            "milestones": _milestones(rng, category, start, end),
            "published": rng.random() < 0.8,
        }
        yield org_code, category, f"DEMO-{index + 1:03d}", values


def _programmes(orgs: dict[str, Organisation], crafts: dict[str, Craft]) -> Iterator[tuple[str, str, str, dict]]:
    """One or two programmes per member known for its crafts, and per province of such members."""
    members = [code for code in ORG_CRAFTS if code in orgs]
    crafts_of = {code: list(ORG_CRAFTS[code]) for code in members}
    for code in members:
        parent = orgs[code].parent
        if parent is not None and parent.kind == "province":
            crafts_of.setdefault(parent.code, [])
            crafts_of[parent.code] += [c for c in ORG_CRAFTS[code] if c not in crafts_of[parent.code]]
    index = 0
    for code in sorted(crafts_of):
        org = orgs[code]
        rng = random.Random(f"programme:{code}")
        categories = rng.sample(PROGRAMME_CATEGORIES[org.kind], 2 if rng.random() < 0.75 else 1)
        for category in categories:
            index += 1
            craft = rng.choice(crafts_of[code])
            city = f"استان {org.name_fa}" if org.kind == "province" else org.name_fa
            words = {"product": PRODUCT_FA[craft], "city": city}
            start = PROGRAMME_START + timedelta(days=rng.randrange(0, 60))
            end = PROGRAMME_END if rng.random() < 0.6 else None
            yield code, category, f"DEMO-P{index:03d}", {
                "title": PROGRAMME_TITLES_FA[category].format(**words),
                "summary": PROGRAMME_SUMMARIES_FA[category].format(**words), "story": "",
                "crafts": [crafts[craft]], "start_date": start, "end_date": end,
                "status": Status.COMPLETED if end and end < TODAY else Status.ACTIVE,
                "partner_country": "RU", "partners": rng.sample(PARTNERS[category], 1),
                "budget": Money(Decimal(rng.randrange(20, 400) * 10_000_000), "IRR", start), "deal_value": None,
                "milestones": [], "published": rng.random() < 0.85,
            }


def _contact(rng: random.Random, org: Organisation) -> dict:
    name = rng.choice(CONTACTS)
    slug = org.code.lower().replace("ir-", "").replace("-", ".")
    area = rng.choice(["21", "31", "41", "71", "24", "35"])
    return {"contact_name": name, "contact_email": f"initiatives.{slug}@wcc.example.org",
            "contact_phone": f"+98 {area} {rng.randrange(3000, 3999)} {rng.randrange(1000, 9999)}"}


def _plan(orgs, crafts, categories) -> list[tuple[str, str, str, dict]]:
    """Every demo initiative as (org code, category code, external id, values)."""
    rng = random.Random(1404)
    plans = []
    for index, h in enumerate(HEADLINES, start=1):
        plans.append((h.org, h.category, f"DEMO-H{index:02d}", {
            "title": h.title, "summary": h.summary, "story": h.story, "crafts": [crafts[c] for c in h.crafts],
            "status": h.status, "start_date": h.start, "end_date": h.end, "partner_country": "RU",
            "partners": h.partners, "budget": h.budget, "deal_value": h.deal, "published": True,
            "milestones": [services.MilestoneData(*m) for m in h.milestones],
        }))
    for index, (org, category, title, summary, codes) in enumerate(OTHER_LANGUAGE, start=1):
        start, end, status = _dates(rng)
        budget, deal = _money_for(rng, category, start)
        plans.append((org, category, f"DEMO-L{index:02d}", {
            "title": title, "summary": summary, "story": "", "crafts": [crafts[c] for c in codes],
            "status": status, "start_date": start, "end_date": end, "partner_country": "RU",
            "partners": rng.sample(PARTNERS[category], 1), "budget": budget, "deal_value": deal,
            "published": True, "milestones": [],
        }))
    plans.extend(_generated(rng, orgs, crafts, categories))
    plans.extend(_programmes(orgs, crafts))
    for org_code, _category, _reference, values in plans:
        if org_code in orgs and rng.random() < 0.75:
            values.update(_contact(rng, orgs[org_code]))
    return plans


def demo_count() -> int:
    return len(HEADLINES) + len(OTHER_LANGUAGE) + GENERATED + PROGRAMMES


def seed_initiatives() -> Iterator[str]:
    """Create the demo initiatives that do not exist yet (by organisation and reference)."""
    services.ensure_reference_data()
    orgs = {o.code: o for o in db.session.scalars(select(Organisation))}
    crafts = {c.code: c for c in db.session.scalars(select(Craft))}
    categories = {c.code: c for c in db.session.scalars(select(Category).order_by(Category.position))}
    goals = {g.code: g for g in db.session.scalars(select(Goal).where(Goal.active.is_(True)))}
    existing = set(db.session.execute(
        select(Initiative.org_id, Initiative.external_id).where(Initiative.external_id.like("DEMO-%"))).all())
    created_refs: list[str] = []
    for org_code, category, reference, values in _plan(orgs, crafts, list(categories)):
        org = orgs.get(org_code)
        if org is None or (org.id, reference) in existing:
            continue
        created = datetime.combine(values["start_date"] - timedelta(days=10), time(9, 30), tzinfo=UTC)
        ini = services.new_initiative(org, {**values, "category": categories[category], "external_id": reference,
                                            "goals": _goals_for(category, values, goals)},
                                      check_unique=False)
        ini.created_at = created
        ini.updated_at = min(created + timedelta(days=40), datetime.combine(TODAY, time(12), tzinfo=UTC))
        if ini.published:
            ini.published_at = ini.updated_at
        db.session.flush()
        services.record_created(ini)
        _add_pictures(ini, reference, len(created_refs))
        created_refs.append(reference)
        yield f"{org_code} {reference}"


def _goals_for(category: str, values: dict, goals: dict[str, Goal]) -> list[Goal]:
    """The goals the work plainly serves; an auction that sold something also adds to exports."""
    codes = list(CATEGORY_GOALS.get(category, ()))
    if category == "auction" and values.get("deal_value"):
        codes.append("EXPORT-RU")
    return [goals[code] for code in codes if code in goals]


def _add_pictures(ini: Initiative, reference: str, index: int) -> None:
    """Photos for most initiatives (two for the headline ones) and a PDF for the brochures."""
    headline = reference.startswith("DEMO-H")
    if not headline and index % 5 in (1, 3):  # some members log without photos
        return
    crafts = [c.code for c in ini.crafts] or ["carpet"]
    for number in range(2 if headline else 1):
        # The second picture shows another side of the work: a pattern, not the object again.
        craft = crafts[0] if number == 0 else ("khatam" if crafts[0] != "khatam" else "carpet")
        data = demo_photo(craft, seed=ini.id * 7 + number)
        services.add_file(ini, FileStorage(io.BytesIO(data), filename=f"{reference.lower()}-{number + 1}.jpg"),
                          kind=FileKind.PHOTO)
    if ini.category.code == "brochure" and headline:
        page = Image.open(io.BytesIO(demo_photo("enamel", seed=ini.id)))
        out = io.BytesIO()
        page.save(out, "PDF", resolution=72)
        services.add_file(ini, FileStorage(io.BytesIO(out.getvalue()), filename="brochure-ru.pdf"),
                          kind=FileKind.DOCUMENT, caption="Ремёсла Исфахана — брошюра")
