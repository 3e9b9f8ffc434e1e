/* SPDX-License-Identifier: MIT */
/* The gallery's first examples: eight product-ad topics, three examples each, written in
 * en, ja, zh-TW, ko and es (the order of vg__lang). */
#include "gallery.h"

#define VIDEO "video_720p", "video"
#define IMAGE "image_1024", "image"

/* Not for clang-format, which measures CJK lines in bytes, not in the width they show. */
/* clang-format off */
const vg__gallery_seed_topic vg__gallery_seed[] = {
    {"cosmetics",
     {"Cosmetics", "コスメ", "美妝保養", "화장품", "Cosméticos"},
     {{VIDEO,
       {{"Rose serum in morning light",
         "A glass dropper bottle of rose facial serum on a marble vanity, soft morning sunlight "
         "through sheer curtains, a single drop falling in slow motion, fresh petals around the "
         "base, elegant and calm."},
        {"朝の光とローズセラム",
         "大理石のドレッサーに置かれたローズ美容液のガラススポイトボトル。薄いカーテン越しにやわらか"
         "な朝日が差し込み、一滴がスローモーションで落ちる。足元には摘みたての花びら。上品で落ち着い"
         "た雰囲気。"},
        {"晨光中的玫瑰精華",
         "大理石梳妝台上一瓶玫瑰精華液玻璃滴管瓶，柔和晨光透過薄紗窗簾灑落，一滴精華以慢動作落下，"
         "瓶底周圍散落新鮮花瓣，優雅而寧靜。"},
        {"아침 햇살 속 로즈 세럼",
         "대리석 화장대 위에 놓인 로즈 페이셜 세럼 유리 스포이트 병, 얇은 커튼 사이로 부드러운 아침 "
         "햇살이 비치고 한 방울이 슬로 모션으로 떨어진다. 병 주위에 싱그러운 꽃잎, 우아하고 차분한 "
         "분위기."},
        {"Sérum de rosa a la luz de la mañana",
         "Un frasco de vidrio con gotero de sérum facial de rosa sobre un tocador de mármol, suave "
         "luz matinal entre cortinas finas, una gota cayendo a cámara lenta, pétalos frescos "
         "alrededor de la base, elegante y sereno."}}},
      {VIDEO,
       {{"Lipstick color swirl",
         "Close-up of a red satin lipstick twisting up from a gold case, rich color swirls "
         "blooming behind it like silk, glossy highlights, luxurious beauty commercial style."},
        {"リップカラーのうねり",
         "金色のケースから繰り出されるサテン仕上げの赤いリップスティックのクローズアップ。背景には"
         "シルクのような鮮やかな色のうねりが広がり、つややかなハイライト。高級感のあるビューティー"
         "CM風。"},
        {"口紅色彩漩渦",
         "紅色緞光口紅從金色管身中旋出的特寫，背後濃郁色彩如絲綢般綻放漩動，光澤亮點，奢華美妝廣告"
         "風格。"},
        {"립스틱 컬러 스월",
         "골드 케이스에서 돌아 올라오는 레드 새틴 립스틱 클로즈업, 뒤로 실크처럼 번지는 풍성한 색의 "
         "소용돌이, 윤기 나는 하이라이트, 고급스러운 뷰티 광고 스타일."},
        {"Remolino de color del labial",
         "Primer plano de un labial rojo satinado que gira y sale de un estuche dorado, remolinos "
         "de color intenso que se abren detrás como seda, brillos satinados, estilo de anuncio de "
         "belleza de lujo."}}},
      {IMAGE,
       {{"Sunscreen on a beach towel",
         "A white sunscreen tube on a striped beach towel with sunglasses and a seashell, bright "
         "summer light, turquoise sea in the background, clean product photo."},
        {"ビーチタオルと日焼け止め",
         "ストライプのビーチタオルの上に白い日焼け止めチューブ、サングラスと貝殻を添えて。明るい夏"
         "の光、背景にはターコイズブルーの海。すっきりとした商品写真。"},
        {"海灘毛巾上的防曬乳",
         "條紋海灘毛巾上擺著一支白色防曬乳，搭配太陽眼鏡與貝殼，明亮的夏日陽光，背景是湛藍海水，"
         "乾淨俐落的商品照。"},
        {"비치 타월 위의 선크림",
         "줄무늬 비치 타월 위에 놓인 하얀 선크림 튜브와 선글라스, 조개껍데기, 밝은 여름 햇살, 배경에는 "
         "청록빛 바다, 깔끔한 제품 사진."},
        {"Protector solar sobre toalla de playa",
         "Un tubo blanco de protector solar sobre una toalla de playa a rayas con gafas de sol y "
         "una concha, luz brillante de verano, mar turquesa al fondo, foto de producto limpia."}}}}},

    {"electronics",
     {"Electronics", "家電・ガジェット", "3C 電子", "전자제품", "Electrónica"},
     {{VIDEO,
       {{"Wireless earbuds reveal",
         "Matte black wireless earbuds rising out of their charging case as the lid opens, soft "
         "blue LED glow, floating above a dark reflective surface, sleek tech commercial, camera "
         "orbiting slowly."},
        {"ワイヤレスイヤホンのお披露目",
         "充電ケースのふたが開き、マットブラックのワイヤレスイヤホンが浮かび上がる。やわらかな青い"
         "LEDの光、暗く光沢のある面の上に浮遊。洗練されたテックCM風、カメラはゆっくり周回。"},
        {"無線耳機登場",
         "充電盒蓋打開，霧黑色無線耳機緩緩升起，柔和的藍色 LED 光暈，懸浮在深色反光表面上方，俐落的"
         "科技廣告風格，鏡頭緩慢環繞。"},
        {"무선 이어폰 언박싱",
         "충전 케이스 뚜껑이 열리며 매트 블랙 무선 이어폰이 떠오른다. 은은한 파란 LED 빛, 어둡고 "
         "반사되는 표면 위에 떠 있는 모습, 세련된 테크 광고, 카메라가 천천히 주위를 돈다."},
        {"Presentación de auriculares inalámbricos",
         "Auriculares inalámbricos negro mate que se elevan de su estuche de carga al abrirse la "
         "tapa, suave brillo LED azul, flotando sobre una superficie oscura y reflectante, anuncio "
         "tecnológico elegante, cámara girando lentamente."}}},
      {VIDEO,
       {{"Smartwatch on the run",
         "A smartwatch on a runner's wrist at dawn in the city, the screen showing heart rate and "
         "pace, lens flare from the rising sun, energetic tracking shot."},
        {"ランニングとスマートウォッチ",
         "夜明けの街を走るランナーの手首にスマートウォッチ。画面には心拍数とペースが表示され、昇る"
         "朝日のレンズフレア。躍動感のある追従ショット。"},
        {"晨跑智慧手錶",
         "黎明城市中跑者手腕上的智慧手錶，螢幕顯示心率與配速，初升朝陽的鏡頭光暈，充滿活力的跟拍"
         "鏡頭。"},
        {"러닝과 스마트워치",
         "새벽 도시를 달리는 러너의 손목 위 스마트워치, 화면에 심박수와 페이스가 표시되고 떠오르는 "
         "해의 렌즈 플레어, 역동적인 트래킹 숏."},
        {"Smartwatch en plena carrera",
         "Un reloj inteligente en la muñeca de un corredor al amanecer en la ciudad, la pantalla "
         "muestra la frecuencia cardíaca y el ritmo, destello del sol naciente, plano de "
         "seguimiento lleno de energía."}}},
      {IMAGE,
       {{"Mechanical keyboard setup",
         "A compact mechanical keyboard with soft RGB backlight on a tidy wooden desk next to a "
         "monitor and a plant, cozy evening desk setup, shallow depth of field."},
        {"メカニカルキーボードのデスク",
         "整理された木製デスクに置かれた、やわらかなRGBバックライトのコンパクトなメカニカルキー"
         "ボード。モニターと観葉植物を添えた、夜のくつろげるデスク環境。浅い被写界深度。"},
        {"機械鍵盤桌面",
         "整潔木質桌面上一把柔和 RGB 背光的小型機械鍵盤，旁邊是螢幕與綠色植物，溫馨的夜晚桌面佈置，"
         "淺景深。"},
        {"기계식 키보드 데스크 셋업",
         "정돈된 원목 책상 위 은은한 RGB 백라이트의 컴팩트 기계식 키보드, 옆에는 모니터와 화분, 아늑한 "
         "저녁 데스크 셋업, 얕은 피사계 심도."},
        {"Escritorio con teclado mecánico",
         "Un teclado mecánico compacto con suave retroiluminación RGB sobre un escritorio de "
         "madera ordenado, junto a un monitor y una planta, ambiente acogedor de noche, poca "
         "profundidad de campo."}}}}},

    {"fashion",
     {"Fashion", "ファッション", "時尚服飾", "패션", "Moda"},
     {{VIDEO,
       {{"Sneaker spin",
         "A white leather sneaker rotating slowly on a pedestal, studio light revealing the "
         "stitching and texture, colored smoke drifting behind it, streetwear ad style."},
        {"スニーカーが回るショット",
         "台座の上でゆっくり回転する白いレザースニーカー。スタジオライトがステッチと質感を際立たせ、"
         "背後にはカラースモークが漂う。ストリートウェア広告風。"},
        {"旋轉球鞋特寫",
         "白色皮革球鞋在展示台上緩緩旋轉，棚拍燈光勾勒出車線與質感，彩色煙霧在後方飄散，街頭潮流"
         "廣告風格。"},
        {"회전하는 스니커즈",
         "받침대 위에서 천천히 회전하는 흰색 가죽 스니커즈, 스튜디오 조명이 스티치와 질감을 드러내고 "
         "뒤로 컬러 연기가 흐른다. 스트리트웨어 광고 스타일."},
        {"Zapatilla en rotación",
         "Una zapatilla blanca de cuero girando lentamente sobre un pedestal, luz de estudio que "
         "resalta las costuras y la textura, humo de colores flotando detrás, estilo de anuncio "
         "streetwear."}}},
      {VIDEO,
       {{"Linen dress in the breeze",
         "A model in a flowing beige linen dress walking through a sunny wheat field, the fabric "
         "moving in the breeze, golden hour light, natural summer fashion film."},
        {"風になびくリネンワンピース",
         "陽光あふれる麦畑を歩くモデル。ベージュのリネンワンピースが風にふわりと揺れる。ゴールデン"
         "アワーの光、ナチュラルな夏のファッションフィルム。"},
        {"微風中的亞麻洋裝",
         "模特兒身穿飄逸的米色亞麻洋裝漫步在陽光麥田中，布料隨微風擺動，黃金時刻的光線，自然清新的"
         "夏日時尚短片。"},
        {"바람에 날리는 린넨 원피스",
         "햇살 가득한 밀밭을 걷는 모델, 흐르는 듯한 베이지 린넨 원피스가 바람에 나부낀다. 골든 아워의 "
         "빛, 자연스러운 여름 패션 필름."},
        {"Vestido de lino con la brisa",
         "Una modelo con un vaporoso vestido de lino beige camina por un soleado campo de trigo, "
         "la tela se mueve con la brisa, luz de la hora dorada, película de moda natural de "
         "verano."}}},
      {IMAGE,
       {{"Leather handbag still life",
         "A tan leather handbag on a stone bench beside a vase of dried flowers, soft shadows, "
         "minimalist editorial product photo."},
        {"レザーハンドバッグの静物",
         "石のベンチに置かれたタンカラーのレザーハンドバッグと、ドライフラワーを挿した花瓶。やわら"
         "かな影、ミニマルなエディトリアル風の商品写真。"},
        {"皮革手提包靜物",
         "石椅上一只棕褐色皮革手提包，旁邊擺著一瓶乾燥花，柔和的陰影，極簡雜誌風格商品照。"},
        {"가죽 핸드백 스틸 라이프",
         "돌 벤치 위에 놓인 탠 컬러 가죽 핸드백과 드라이플라워 화병, 부드러운 그림자, 미니멀한 "
         "에디토리얼 제품 사진."},
        {"Bodegón de bolso de cuero",
         "Un bolso de cuero color camel sobre un banco de piedra junto a un jarrón de flores "
         "secas, sombras suaves, foto de producto editorial minimalista."}}}}},

    {"food_drink",
     {"Food & Drink", "フード＆ドリンク", "美食飲品", "식음료", "Comida y bebida"},
     {{VIDEO,
       {{"Iced coffee pour",
         "Cold brew coffee poured over clear ice cubes in a tall glass, milk slowly swirling into "
         "marbled clouds, condensation on the glass, warm café lighting, slow motion."},
        {"アイスコーヒーを注ぐ瞬間",
         "透明な氷を入れた背の高いグラスに水出しコーヒーを注ぐ。ミルクがゆっくりと渦を巻いてマーブ"
         "ル模様に広がり、グラスには水滴。温かみのあるカフェの照明、スローモーション。"},
        {"冰咖啡倒入瞬間",
         "冷萃咖啡倒入裝滿透明冰塊的高玻璃杯，牛奶緩緩旋繞成大理石紋般的雲霧，杯壁凝結水珠，溫暖的"
         "咖啡館燈光，慢動作。"},
        {"아이스 커피 붓는 순간",
         "투명한 얼음이 담긴 키 큰 유리잔에 콜드브루 커피를 붓자 우유가 천천히 소용돌이치며 마블 "
         "구름처럼 퍼진다. 유리잔에 맺힌 물방울, 따뜻한 카페 조명, 슬로 모션."},
        {"Café helado recién servido",
         "Café cold brew vertido sobre cubitos de hielo transparentes en un vaso alto, la leche "
         "girando lentamente en nubes marmoladas, gotas de condensación en el vaso, luz cálida de "
         "cafetería, cámara lenta."}}},
      {VIDEO,
       {{"Bubble tea splash",
         "A cup of brown sugar bubble milk tea with tapioca pearls dropping into it in a gentle "
         "splash, caramel syrup streaks along the cup, playful pastel background."},
        {"タピオカミルクティーのしぶき",
         "黒糖タピオカミルクティーのカップにタピオカが落ち、やさしくしぶきが上がる。カップの内側に"
         "は黒糖シロップの筋。ポップなパステルカラーの背景。"},
        {"珍珠奶茶水花",
         "一杯黑糖珍珠鮮奶，珍珠落入杯中濺起輕柔水花，杯壁掛著焦糖色的黑糖糖漿紋路，俏皮的粉彩背景。"},
        {"버블티 스플래시",
         "흑당 버블 밀크티 컵에 타피오카 펄이 떨어지며 살짝 튀어 오르는 물보라, 컵 안쪽을 따라 흐르는 "
         "캐러멜빛 시럽 줄무늬, 경쾌한 파스텔 배경."},
        {"Salpicadura de té de burbujas",
         "Un vaso de té con leche y azúcar moreno en el que caen perlas de tapioca con una suave "
         "salpicadura, vetas de sirope de caramelo en las paredes del vaso, fondo pastel y "
         "divertido."}}},
      {IMAGE,
       {{"Artisan chocolate box",
         "An open box of handmade dark chocolates with gold leaf and cocoa dust on a dark wooden "
         "table, moody side light, premium gift packaging."},
        {"職人のチョコレートボックス",
         "金箔とココアパウダーをあしらった手作りダークチョコレートの箱を、暗い木のテーブルの上で開け"
         "た様子。陰影のあるサイドライト、高級感のあるギフトパッケージ。"},
        {"手工巧克力禮盒",
         "深色木桌上一盒打開的手工黑巧克力，點綴金箔與可可粉，富有氛圍的側光，質感高級的禮盒包裝。"},
        {"수제 초콜릿 박스",
         "어두운 원목 테이블 위에 열린 수제 다크 초콜릿 상자, 금박과 코코아 가루 장식, 분위기 있는 "
         "측면 조명, 고급스러운 선물 포장."},
        {"Caja de chocolates artesanales",
         "Una caja abierta de chocolates negros artesanales con pan de oro y cacao en polvo sobre "
         "una mesa de madera oscura, luz lateral intimista, empaque de regalo premium."}}}}},

    {"home",
     {"Home & Living", "インテリア・雑貨", "居家生活", "홈·리빙", "Hogar"},
     {{VIDEO,
       {{"Scented candle evening",
         "A lit soy candle in an amber glass jar on a bedside table, the flame flickering, steam "
         "rising from a cup of tea beside it, warm cozy evening atmosphere, slow push-in."},
        {"アロマキャンドルの夜",
         "ベッドサイドテーブルに置かれた琥珀色のガラス瓶のソイキャンドル。炎が揺らめき、隣のティー"
         "カップから湯気が立ちのぼる。温かく心地よい夜の雰囲気、ゆっくりと寄っていくカメラ。"},
        {"香氛蠟燭之夜",
         "床頭櫃上點燃的琥珀色玻璃罐大豆蠟燭，燭火搖曳，一旁的茶杯冒著熱氣，溫暖舒適的夜晚氛圍，"
         "鏡頭緩緩推近。"},
        {"향초와 함께하는 저녁",
         "침대 옆 협탁 위 호박색 유리병에 담긴 소이 캔들에 불이 켜져 있고 불꽃이 일렁인다. 옆 찻잔에서 "
         "김이 피어오르는 따뜻하고 아늑한 저녁 분위기, 천천히 다가가는 카메라."},
        {"Noche con vela aromática",
         "Una vela de soja encendida en un frasco de vidrio ámbar sobre la mesita de noche, la "
         "llama parpadeando, vapor saliendo de una taza de té a su lado, ambiente nocturno cálido "
         "y acogedor, lento acercamiento de cámara."}}},
      {VIDEO,
       {{"Ceramic mug morning",
         "A handmade speckled ceramic mug of hot coffee on a sunlit kitchen counter, steam "
         "curling upward, a hand reaching in to lift it, calm morning mood."},
        {"陶器マグの朝",
         "日差しの入るキッチンカウンターに、熱いコーヒーを注いだ手作りの斑点模様の陶器マグ。湯気が"
         "ゆらゆらと立ちのぼり、手が伸びてマグを持ち上げる。穏やかな朝のムード。"},
        {"陶瓷馬克杯的早晨",
         "灑滿陽光的廚房流理台上，一只盛著熱咖啡的手作斑點陶瓷馬克杯，熱氣裊裊上升，一隻手伸來將它"
         "拿起，寧靜的早晨氛圍。"},
        {"세라믹 머그의 아침",
         "햇살이 드는 주방 카운터 위, 뜨거운 커피가 담긴 수제 스펙클 세라믹 머그에서 김이 피어오르고 "
         "한 손이 다가와 머그를 들어 올린다. 고요한 아침 분위기."},
        {"Mañana con taza de cerámica",
         "Una taza de cerámica moteada hecha a mano con café caliente sobre la encimera soleada "
         "de la cocina, el vapor subiendo en espirales, una mano que se acerca a levantarla, "
         "ambiente de mañana tranquila."}}},
      {IMAGE,
       {{"Linen bedding set",
         "A freshly made bed with soft sage green linen bedding and textured pillows, bright airy "
         "bedroom with natural light, Scandinavian interior style."},
        {"リネン寝具セット",
         "やわらかなセージグリーンのリネン寝具と風合いのあるクッションで整えられたベッド。自然光が"
         "差し込む明るく開放的な寝室、北欧インテリアスタイル。"},
        {"亞麻寢具組",
         "剛鋪好的床，柔軟的鼠尾草綠亞麻寢具與質感抱枕，自然光充足的明亮臥室，北歐室內風格。"},
        {"린넨 침구 세트",
         "부드러운 세이지 그린 린넨 침구와 질감 있는 베개로 갓 정돈한 침대, 자연광이 드는 밝고 산뜻한 "
         "침실, 스칸디나비아 인테리어 스타일."},
        {"Juego de cama de lino",
         "Una cama recién hecha con suave ropa de cama de lino verde salvia y cojines con "
         "textura, dormitorio luminoso y amplio con luz natural, estilo de interiorismo "
         "escandinavo."}}}}},

    {"jewelry",
     {"Jewelry", "ジュエリー", "珠寶飾品", "주얼리", "Joyería"},
     {{VIDEO,
       {{"Diamond ring sparkle",
         "A diamond engagement ring turning slowly on black velvet, sparkling light caustics "
         "dancing around it, macro shot, luxury jewelry commercial."},
        {"きらめくダイヤモンドリング",
         "黒いベルベットの上でゆっくり回転するダイヤモンドの婚約指輪。周囲にきらめく光の反射が踊る。"
         "マクロ撮影、高級ジュエリーのCM。"},
        {"閃耀鑽戒",
         "鑽石求婚戒指在黑色絲絨上緩緩旋轉，閃爍的光影在周圍舞動，微距特寫，奢華珠寶廣告。"},
        {"반짝이는 다이아몬드 반지",
         "검은 벨벳 위에서 천천히 회전하는 다이아몬드 약혼반지, 주위로 반짝이는 빛의 굴절이 춤춘다. "
         "매크로 촬영, 럭셔리 주얼리 광고."},
        {"Destello de anillo de diamantes",
         "Un anillo de compromiso de diamantes girando lentamente sobre terciopelo negro, reflejos "
         "de luz centelleantes danzando a su alrededor, plano macro, anuncio de joyería de "
         "lujo."}}},
      {VIDEO,
       {{"Pearl necklace on silk",
         "A strand of white pearls sliding gently across flowing ivory silk, a soft glow on each "
         "pearl, elegant slow motion, classic and timeless."},
        {"シルクとパールネックレス",
         "流れるようなアイボリーのシルクの上を、白いパールのネックレスがすべるように動く。一粒一粒"
         "にやわらかな輝き、エレガントなスローモーション、クラシックで時代を超えた美しさ。"},
        {"絲綢上的珍珠項鍊",
         "一串白色珍珠項鍊輕輕滑過流動的象牙白絲綢，每顆珍珠泛著柔和光澤，優雅的慢動作，經典而雋永。"},
        {"실크 위의 진주 목걸이",
         "흐르는 아이보리 실크 위를 부드럽게 미끄러지는 하얀 진주 목걸이, 진주 한 알 한 알의 은은한 "
         "광택, 우아한 슬로 모션, 클래식하고 변치 않는 아름다움."},
        {"Collar de perlas sobre seda",
         "Un collar de perlas blancas deslizándose suavemente sobre seda marfil ondulante, un "
         "brillo suave en cada perla, elegante cámara lenta, clásico y atemporal."}}},
      {IMAGE,
       {{"Gold earrings flat lay",
         "Minimal gold hoop earrings on a pale pink stone surface with a few scattered petals, "
         "soft daylight, clean and modern jewelry photo."},
        {"ゴールドピアスのフラットレイ",
         "淡いピンクの石の上に置かれたミニマルなゴールドのフープピアスと、散らした数枚の花びら。"
         "やわらかな自然光、すっきりとしたモダンなジュエリー写真。"},
        {"金色耳環平拍",
         "極簡金色圈形耳環擺在淡粉色石材表面，點綴幾片散落花瓣，柔和日光，乾淨現代的珠寶照片。"},
        {"골드 귀걸이 플랫레이",
         "연분홍 석재 위에 놓인 미니멀한 골드 후프 귀걸이와 흩어진 꽃잎 몇 장, 부드러운 자연광, "
         "깔끔하고 모던한 주얼리 사진."},
        {"Pendientes dorados en flat lay",
         "Pendientes de aro dorados y minimalistas sobre una superficie de piedra rosa pálido con "
         "algunos pétalos esparcidos, luz natural suave, foto de joyería limpia y moderna."}}}}},

    {"pets",
     {"Pets", "ペット用品", "寵物用品", "반려동물", "Mascotas"},
     {{VIDEO,
       {{"Puppy and the new toy",
         "A golden retriever puppy pouncing on a colorful rope toy on a soft rug, tail wagging, "
         "playful and heartwarming home scene, bright natural light."},
        {"子犬と新しいおもちゃ",
         "ふかふかのラグの上で、カラフルなロープのおもちゃに飛びつくゴールデンレトリバーの子犬。しっ"
         "ぽを振る、遊び心あふれる心温まる家庭のシーン。明るい自然光。"},
        {"幼犬與新玩具",
         "黃金獵犬幼犬在柔軟地毯上撲向彩色繩結玩具，尾巴搖個不停，活潑又溫馨的居家畫面，明亮自然光。"},
        {"강아지와 새 장난감",
         "푹신한 러그 위에서 알록달록한 로프 장난감에 달려드는 골든 리트리버 강아지, 꼬리를 흔드는 "
         "장난스럽고 따뜻한 집 안 풍경, 밝은 자연광."},
        {"Cachorro con su juguete nuevo",
         "Un cachorro de golden retriever saltando sobre un colorido juguete de cuerda en una "
         "alfombra suave, moviendo la cola, escena hogareña divertida y entrañable, luz natural "
         "brillante."}}},
      {VIDEO,
       {{"Cat tower nap",
         "A fluffy gray cat climbing a beige cat tower and curling up on the top platform for a "
         "nap, sunlight from a window, cozy and relaxed."},
        {"キャットタワーでお昼寝",
         "ふわふわのグレーの猫がベージュのキャットタワーを登り、いちばん上の台で丸くなってお昼寝。"
         "窓から差し込む日差し、くつろいだ心地よい雰囲気。"},
        {"貓跳台上的午睡",
         "一隻蓬鬆的灰貓爬上米色貓跳台，在最高層蜷縮成一團午睡，窗外灑進陽光，舒適又放鬆。"},
        {"캣타워 낮잠",
         "털이 복슬복슬한 회색 고양이가 베이지색 캣타워를 올라 맨 위 선반에서 몸을 웅크리고 낮잠을 "
         "잔다. 창문으로 드는 햇살, 아늑하고 편안한 분위기."},
        {"Siesta en el árbol para gatos",
         "Un gato gris y esponjoso trepa a un árbol para gatos beige y se acurruca en la "
         "plataforma superior para dormir la siesta, luz del sol entrando por la ventana, "
         "acogedor y relajado."}}},
      {IMAGE,
       {{"Premium pet food bowl",
         "A ceramic bowl of premium kibble with fresh salmon and carrots arranged around it, clean "
         "bright kitchen background, healthy pet food ad."},
        {"プレミアムペットフード",
         "プレミアムドライフードを盛った陶器のボウルと、周りに並べた新鮮なサーモンとにんじん。清潔"
         "で明るいキッチンの背景、ヘルシーなペットフード広告。"},
        {"頂級寵物飼料碗",
         "陶瓷碗中盛著頂級乾飼料，周圍擺放新鮮鮭魚與紅蘿蔔，乾淨明亮的廚房背景，健康寵物食品廣告。"},
        {"프리미엄 사료 한 그릇",
         "프리미엄 건사료가 담긴 도자기 그릇과 주위에 놓인 신선한 연어와 당근, 깨끗하고 밝은 주방 "
         "배경, 건강한 반려동물 사료 광고."},
        {"Plato de comida premium para mascotas",
         "Un cuenco de cerámica con pienso premium rodeado de salmón fresco y zanahorias, fondo "
         "de cocina limpio y luminoso, anuncio de comida saludable para mascotas."}}}}},

    {"sports",
     {"Sports & Outdoors", "スポーツ・アウトドア", "運動戶外", "스포츠·아웃도어",
      "Deportes y aire libre"},
     {{VIDEO,
       {{"Yoga mat unroll",
         "A purple yoga mat unrolling across the wooden floor of a bright studio, a water bottle "
         "and towel placed beside it, calm morning light, wellness brand style."},
        {"ヨガマットを広げる",
         "明るいスタジオの木の床に紫のヨガマットが転がりながら広がり、そばに水筒とタオルが置かれる。"
         "穏やかな朝の光、ウェルネスブランド風。"},
        {"展開瑜珈墊",
         "紫色瑜珈墊在明亮教室的木地板上展開，旁邊放著水壺與毛巾，寧靜的晨光，健康生活品牌風格。"},
        {"요가 매트 펼치기",
         "밝은 스튜디오의 나무 바닥 위로 보라색 요가 매트가 굴러 펼쳐지고 옆에 물병과 수건이 놓인다. "
         "차분한 아침 햇살, 웰니스 브랜드 스타일."},
        {"Esterilla de yoga desenrollándose",
         "Una esterilla de yoga morada desenrollándose sobre el suelo de madera de un estudio "
         "luminoso, una botella de agua y una toalla a su lado, luz serena de la mañana, estilo "
         "de marca de bienestar."}}},
      {VIDEO,
       {{"Trail running shoes",
         "Trail running shoes splashing through a shallow mountain stream, water droplets frozen "
         "in slow motion, misty forest behind, adventurous outdoor ad."},
        {"トレイルランニングシューズ",
         "浅い山の渓流を水しぶきを上げて駆け抜けるトレイルランニングシューズ。スローモーションで"
         "止まって見える水滴、背景には霧の森。冒険心あふれるアウトドア広告。"},
        {"越野跑鞋",
         "越野跑鞋踏過淺淺的山間溪流濺起水花，水珠在慢動作中凝結於空中，背景是雲霧繚繞的森林，充滿"
         "冒險感的戶外廣告。"},
        {"트레일 러닝화",
         "얕은 산속 개울을 첨벙이며 달리는 트레일 러닝화, 슬로 모션으로 멈춘 듯한 물방울, 뒤로 안개 "
         "낀 숲, 모험심 넘치는 아웃도어 광고."},
        {"Zapatillas de trail running",
         "Zapatillas de trail running chapoteando en un arroyo de montaña poco profundo, gotas de "
         "agua suspendidas a cámara lenta, bosque con niebla al fondo, anuncio outdoor lleno de "
         "aventura."}}},
      {IMAGE,
       {{"Insulated bottle on the summit",
         "A matte green insulated water bottle on a rock at a mountain summit, sunrise over a sea "
         "of clouds behind it, crisp outdoor product shot."},
        {"山頂の真空断熱ボトル",
         "山頂の岩の上に置かれたマットグリーンの真空断熱ボトル。背景には雲海から昇る朝日。くっきり"
         "としたアウトドア商品写真。"},
        {"山頂上的保溫瓶",
         "山頂岩石上一支霧面綠色保溫瓶，後方是雲海上的日出，清晰俐落的戶外商品照。"},
        {"산 정상의 보온병",
         "산 정상 바위 위에 놓인 매트 그린 보온병, 뒤로 운해 위 일출, 선명한 아웃도어 제품 사진."},
        {"Botella térmica en la cumbre",
         "Una botella térmica verde mate sobre una roca en la cima de una montaña, amanecer sobre "
         "un mar de nubes al fondo, nítida foto de producto outdoor."}}}}},
};
/* clang-format on */

const size_t vg__gallery_seed_count = sizeof vg__gallery_seed / sizeof vg__gallery_seed[0];
